package org.genbench.nn;

import java.util.List;

/** Layers applied in order; modules among them are children named by position ("0", "1", ...). */
public final class Sequential extends Module implements Layer {
    private final List<Layer> layers;

    public Sequential(Layer... layers) {
        this.layers = List.of(layers);
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] instanceof Module m) {
                child(Integer.toString(i), m);
            }
        }
    }

    @Override
    public NdArray forward(NdArray x) {
        NdArray h = x;
        for (Layer l : layers) {
            h = l.forward(h);
        }
        return h;
    }

    public List<Layer> layers() {
        return layers;
    }
}
