package org.genbench.model.diffusion.internal;

import java.util.Arrays;
import org.genbench.api.DataInfo;
import org.genbench.api.DataScaling;

/**
 * Where the families put the data: images (sample shape of rank 2 or 3) are intensities in [0, 1] (kind continuous)
 * or the 8-bit values 0..255 themselves (kind discrete), mapped to [-1, 1] and bounded there, and their variational
 * bound is on 8-bit values; vectors are used as they are, unbounded.
 */
final class Spaces {
    private Spaces() {
    }

    static void check(String family, DataInfo data) {
        long[] shape = data.sampleShape();
        boolean eightBitImages = DataInfo.DISCRETE.equals(data.kind()) && shape.length >= 2;
        if (!DataInfo.CONTINUOUS.equals(data.kind()) && !eightBitImages) {
            throw new IllegalArgumentException(family + " models continuous data (images as intensities in [0, 1], or"
                    + " vectors) or 8-bit images (kind discrete, values 0..255); dataset '" + data.name() + "' is "
                    + data.kind() + " with sample shape " + Arrays.toString(shape));
        }
        if (shape.length < 1 || shape.length > 3) {
            throw new IllegalArgumentException(family + " models vectors or images; dataset '" + data.name()
                    + "' has sample shape " + Arrays.toString(shape));
        }
        if (data.dimension() > Integer.MAX_VALUE / 64) {
            throw new IllegalArgumentException("dataset '" + data.name() + "' has " + data.dimension()
                    + " values per example, too many for " + family);
        }
    }

    static boolean isImage(DataInfo data) {
        return data.sampleShape().length >= 2;
    }

    /** 8-bit images given as the values 0..255 (kind discrete). */
    static boolean isEightBit(DataInfo data) {
        return isImage(data) && DataInfo.DISCRETE.equals(data.kind());
    }

    static DataScaling scaling(DataInfo data) {
        return isEightBit(data) ? DataScaling.toLevels(256)
                : isImage(data) ? DataScaling.toUnitInterval(0, 1) : DataScaling.identity();
    }

    /** Fails naming the index of the first value of x that is not an integer in 0..255 (for 8-bit data). */
    static void checkLevels(float[] x, String what) {
        for (int j = 0; j < x.length; j++) {
            float v = x[j];
            if (!(v >= 0 && v <= 255 && v == Math.rint(v))) {
                throw new IllegalArgumentException(what + " of 8-bit data must be integers in 0..255, found " + v
                        + " at index " + j);
            }
        }
    }
}
