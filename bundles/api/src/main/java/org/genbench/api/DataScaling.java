package org.genbench.api;

/**
 * Where a diffusion or score model puts the data: {@code y = scale * x + shift} maps a data value x into the space the
 * model diffuses in (images in [0, 1] become [-1, 1] with scale 2 and shift -1; 2-D toy points stay as they are).
 * Samplers start from noise in that space and return {@code x = (y - shift) / scale}. {@code low} and {@code high}
 * bound y where the data is bounded, and samplers clip their predictions of the clean sample to them (DDPM's
 * {@code clip_denoised}); they are infinite where the data is not bounded.
 */
public record DataScaling(double scale, double shift, double low, double high) {
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
