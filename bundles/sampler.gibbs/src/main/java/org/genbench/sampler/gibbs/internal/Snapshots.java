package org.genbench.sampler.gibbs.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * What the pictures need from a run, gathered as it goes: for image data the first chains' E[v | h] at sweeps spaced
 * roughly geometrically (0, 1, 2, 5, 10, 20, 50, ...) up to the last; for 2-D data the first chains' paths over the
 * first {@link #PATH_SWEEPS} sweeps and every chain's state at about {@link #CLOUD_POINTS} sweeps spread over the run.
 */
final class Snapshots {
    static final int CHAINS_SHOWN = 8;
    static final int PATHS = 3;
    static final int PATH_SWEEPS = 30;
    static final int CLOUD_POINTS = 200;

    final boolean image;
    final boolean plane;
    final int d;
    final int chains;
    final long total;
    final TreeMap<Long, double[]> frames = new TreeMap<>();
    final List<List<Double>> paths = new ArrayList<>();
    final List<Double> cloud = new ArrayList<>();
    private final long cloudEvery;

    Snapshots(long[] sampleShape, int chains, long total) {
        long d = 1;
        for (long s : sampleShape) {
            d *= s;
        }
        this.d = (int) d;
        this.chains = chains;
        this.total = total;
        this.plane = sampleShape.length == 1 && sampleShape[0] == 2;
        this.image = sampleShape.length >= 2
                && sampleShape[sampleShape.length - 2] * sampleShape[sampleShape.length - 1] == d;
        this.cloudEvery = Math.max(1, total / CLOUD_POINTS);
        for (int c = 0; c < Math.min(chains, PATHS); c++) {
            paths.add(new ArrayList<>());
        }
    }

    boolean wants(long t) {
        if (image) {
            return t == 0 || t == total || isFrame(t);
        }
        return plane && (t <= PATH_SWEEPS || t % cloudEvery == 0);
    }

    /** 1, 2, 5 times a power of ten. */
    static boolean isFrame(long t) {
        long p = 1;
        while (p <= t) {
            if (t == p || t == 2 * p || t == 5 * p) {
                return true;
            }
            p *= 10;
        }
        return false;
    }

    /** {@code states}: the chains' sampled v; {@code means}: E[v | h], both [chains, d]. */
    void record(long t, double[] states, double[] means) {
        if (image) {
            int shown = Math.min(chains, CHAINS_SHOWN);
            frames.put(t, java.util.Arrays.copyOf(means, shown * d));
        } else if (plane) {
            if (t <= PATH_SWEEPS) {
                for (int c = 0; c < paths.size(); c++) {
                    paths.get(c).add(states[c * 2]);
                    paths.get(c).add(states[c * 2 + 1]);
                }
            }
            if (t > 0 && t % cloudEvery == 0) {
                for (double x : states) {
                    cloud.add(x);
                }
            }
        }
    }
}
