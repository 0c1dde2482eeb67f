package org.genbench.nn.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.Graph;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;

/**
 * Finite-difference checks of reverse-mode gradients, in float64: for each checked array and several random unit
 * directions v, the directional derivative from back-propagation, (grad . v), against the central difference
 * (L(x + h v) - L(x - h v)) / 2h. Central differences in float64 are exact to about 1e-9 relative for smooth
 * functions, so a tolerance of 1e-6 catches a wrong backward pass (even one off by 0.1%) and passes a right one.
 *
 * <p>Where a ReLU's input lies within h of zero along v the loss has a kink there and no finite difference means
 * anything; such a direction shows as two central differences (steps h and h/2) that disagree, is marked
 * non-smooth and skipped, and a check that skips more than a quarter of its directions fails.
 */
public final class GradCheck {
    /**
     * One direction's comparison. {@code floor} keeps directional derivatives that are zero up to rounding (a bias
     * that a following normalization cancels exactly) from counting as relative errors: it is 1e-3 of the loss's
     * magnitude, far above the rounding of the central difference (about 1e-10 of it) and far below the gradients a
     * wrong backward pass misreports.
     */
    public record Result(String array, int direction, double analytic, double numeric, double floor, boolean smooth) {
        public double relativeError() {
            double scale = Math.max(Math.max(Math.abs(analytic), Math.abs(numeric)), floor);
            return Math.abs(analytic - numeric) / scale;
        }

        @Override
        public String toString() {
            return String.format("%s[dir %d]: analytic %.10g, numeric %.10g, relative error %.2e%s", array, direction,
                    analytic, numeric, relativeError(), smooth ? "" : " (non-smooth here: skipped)");
        }
    }

    private GradCheck() {
    }

    /**
     * Checks the gradient of the scalar {@code loss(inputs)} in each of the named float64 {@code arrays}: parameters
     * (checked as they are) and inputs (passed to {@code loss} as graph inputs, in the order given). {@code loss}
     * must be deterministic: draw any noise from an {@link Rng} it creates with a fixed seed.
     */
    public static List<Result> check(Map<String, NdArray> parameters, List<NdArray> inputs,
                                     Function<List<NdArray>, NdArray> loss, int directions, double h, long seed) {
        Map<String, NdArray> checked = new LinkedHashMap<>(parameters);
        for (int i = 0; i < inputs.size(); i++) {
            checked.put("input" + i, inputs.get(i));
        }
        for (Map.Entry<String, NdArray> e : checked.entrySet()) {
            if (e.getValue().dtype() != DType.F64) {
                throw new IllegalArgumentException("gradient checks run in float64; '" + e.getKey() + "' is "
                        + e.getValue().dtype());
            }
        }
        Map<String, double[]> grads = new LinkedHashMap<>();
        double lossValue;
        try (Graph g = Graph.record()) {
            List<NdArray> in = new ArrayList<>();
            for (NdArray x : inputs) {
                in.add(g.input(x));
            }
            NdArray l = loss.apply(in);
            lossValue = l.item();
            l.backward();
            for (Map.Entry<String, NdArray> e : parameters.entrySet()) {
                NdArray gr = e.getValue().grad();
                grads.put(e.getKey(), gr == null ? new double[e.getValue().size()] : gr.toDoubleArray());
                e.getValue().clearGrad();
            }
            for (int i = 0; i < in.size(); i++) {
                NdArray gr = in.get(i).grad();
                grads.put("input" + i, gr == null ? new double[inputs.get(i).size()] : gr.toDoubleArray());
            }
        }
        Rng rng = new Rng(seed);
        List<Result> out = new ArrayList<>();
        for (Map.Entry<String, NdArray> e : checked.entrySet()) {
            NdArray x = e.getValue();
            double[] gr = grads.get(e.getKey());
            double[] values = x.d();
            for (int dir = 0; dir < directions; dir++) {
                double[] v = new double[x.size()];
                double norm = 0;
                for (int i = 0; i < v.length; i++) {
                    v[i] = rng.nextGaussian();
                    norm += v[i] * v[i];
                }
                norm = Math.sqrt(norm);
                double analytic = 0;
                for (int i = 0; i < v.length; i++) {
                    v[i] /= norm;
                    analytic += gr[i] * v[i];
                }
                double[] saved = values.clone();
                for (int i = 0; i < v.length; i++) {
                    values[i] = saved[i] + h * v[i];
                }
                double plus = evaluate(loss, inputs);
                for (int i = 0; i < v.length; i++) {
                    values[i] = saved[i] - h * v[i];
                }
                double minus = evaluate(loss, inputs);
                for (int i = 0; i < v.length; i++) {
                    values[i] = saved[i] + h / 2 * v[i];
                }
                double plusHalf = evaluate(loss, inputs);
                for (int i = 0; i < v.length; i++) {
                    values[i] = saved[i] - h / 2 * v[i];
                }
                double minusHalf = evaluate(loss, inputs);
                System.arraycopy(saved, 0, values, 0, v.length);
                double numeric = (plus - minus) / (2 * h);
                double half = (plusHalf - minusHalf) / h;
                double floor = 1e-3 * Math.max(1, Math.abs(lossValue));
                boolean smooth = Math.abs(numeric - half) <= 1e-7 * Math.max(Math.max(Math.abs(numeric), Math.abs(half)), floor);
                out.add(new Result(e.getKey(), dir, analytic, numeric, floor, smooth));
            }
        }
        return out;
    }

    private static double evaluate(Function<List<NdArray>, NdArray> loss, List<NdArray> inputs) {
        try (Scope s = Scope.open()) {
            return loss.apply(inputs).item();
        }
    }

    /** The worst relative error among the smooth directions. */
    public static double worst(List<Result> results) {
        return results.stream().filter(Result::smooth).mapToDouble(Result::relativeError).max().orElse(0);
    }

    /**
     * Fails listing every smooth direction whose relative error exceeds {@code tolerance}, or when more than a
     * quarter of the directions were non-smooth (then the check says too little).
     */
    public static void assertClose(List<Result> results, double tolerance) {
        List<Result> bad = results.stream().filter(r -> r.smooth() && !(r.relativeError() <= tolerance)).toList();
        long rough = results.stream().filter(r -> !r.smooth()).count();
        if (!bad.isEmpty() || rough * 4 > results.size()) {
            StringBuilder b = new StringBuilder("gradient check failed (tolerance " + tolerance + ", " + rough + " of "
                    + results.size() + " directions non-smooth):");
            (bad.isEmpty() ? results.stream().filter(r -> !r.smooth()).toList() : bad).forEach(r -> b.append("\n  ").append(r));
            throw new AssertionError(b.toString());
        }
    }
}
