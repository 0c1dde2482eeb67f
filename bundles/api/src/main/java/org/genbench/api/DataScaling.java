package org.genbench.api;

/**
 * Where a diffusion or score model puts the data: {@code y = scale * x + shift} maps a data value x into the space the
 * model diffuses in (images in [0, 1] become [-1, 1] with scale 2 and shift -1; 2-D toy points stay as they are).
 * Samplers start from noise in that space and return {@code x = (y - shift) / scale}. {@code low} and {@code high}
 * bound y where the data is bounded, and samplers clip their predictions of the clean sample to them (DDPM's
 * {@code clip_denoised}); they are infinite where the data is not bounded. {@code integers} data (8-bit pixels
 * 0..255) get their samples rounded to the nearest integer after the map back.
 */
public record DataScaling(double scale, double shift, double low, double high, boolean integers) {
    public DataScaling {
        if (!(scale != 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be finite and non-zero, was " + scale);
        }
        if (!Double.isFinite(shift)) {
            throw new IllegalArgumentException("shift must be finite, was " + shift);
        }
        if (Double.isNaN(low) || Double.isNaN(high) || !(low < high)) {
            throw new IllegalArgumentException("low must be below high, were " + low + " and " + high);
        }
    }

    /** Data of real values. */
    public DataScaling(double scale, double shift, double low, double high) {
        this(scale, shift, low, high, false);
    }

    /** Unbounded data used as it is. */
    public static DataScaling identity() {
        return new DataScaling(1, 0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /** Data in [lo, hi] mapped onto [-1, 1], and bounded there. */
    public static DataScaling toUnitInterval(double lo, double hi) {
        if (!(lo < hi) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("the data range must be finite with lo < hi, was [" + lo + ", " + hi + "]");
        }
        double scale = 2 / (hi - lo);
        return new DataScaling(scale, -1 - scale * lo, -1, 1);
    }

    /**
     * Integer data {@code 0..levels-1} (8-bit pixels: 256) mapped onto [-1, 1] and bounded there (DDPM's convention:
     * k becomes {@code 2 k / (levels - 1) - 1}); samples come back as integers.
     */
    public static DataScaling toLevels(int levels) {
        if (levels < 2) {
            throw new IllegalArgumentException("levels must be at least 2, was " + levels);
        }
        DataScaling s = toUnitInterval(0, levels - 1);
        return new DataScaling(s.scale, s.shift, s.low, s.high, true);
    }

    /** The data value of a sampled model-space value: clipped where bounded, mapped back, rounded for integer data. */
    public double sampleValue(double y) {
        double x = toData(bounded() ? clip(y) : y);
        return integers ? Math.rint(x) : x;
    }

    /** The model-space value of a data value. */
    public double toModel(double x) {
        return scale * x + shift;
    }

    /** The data value of a model-space value. */
    public double toData(double y) {
        return (y - shift) / scale;
    }

    /** True when predictions of the clean sample are clipped to [low, high]. */
    public boolean bounded() {
        return Double.isFinite(low) || Double.isFinite(high);
    }

    /** y clipped to [low, high]. */
    public double clip(double y) {
        return Math.max(low, Math.min(high, y));
    }
}
