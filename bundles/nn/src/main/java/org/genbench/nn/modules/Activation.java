package org.genbench.nn.modules;

import java.util.Locale;
import org.genbench.nn.F;
import org.genbench.nn.Layer;
import org.genbench.nn.NdArray;

/** The activations by name, as layers: relu, leaky_relu (slope 0.2), silu (swish), elu, tanh, sigmoid, softplus. */
public enum Activation implements Layer {
    RELU, LEAKY_RELU, SILU, ELU, TANH, SIGMOID, SOFTPLUS, IDENTITY;

    @Override
    public NdArray forward(NdArray x) {
        return switch (this) {
            case RELU -> F.relu(x);
            case LEAKY_RELU -> F.leakyRelu(x, 0.2);
            case SILU -> F.silu(x);
            case ELU -> F.elu(x);
            case TANH -> F.tanh(x);
            case SIGMOID -> F.sigmoid(x);
            case SOFTPLUS -> F.softplus(x);
            case IDENTITY -> x;
        };
    }

    /** By name, case-insensitive, {@code swish} meaning silu; fails listing the known names. */
    public static Activation of(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('-', '_');
        if (n.equals("swish")) {
            return SILU;
        }
        for (Activation a : values()) {
            if (a.name().toLowerCase(Locale.ROOT).equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name + "'; known: relu, leaky_relu, silu, elu, tanh,"
                + " sigmoid, softplus, identity");
    }
}
