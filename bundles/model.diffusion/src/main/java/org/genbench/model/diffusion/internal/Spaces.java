package org.genbench.model.diffusion.internal;

import java.util.Arrays;
import org.genbench.api.DataInfo;
import org.genbench.api.DataScaling;

/**
 * Where the families put the data: images (sample shape of rank 2 or 3) are intensities in [0, 1], mapped to [-1, 1]
 * and bounded there, and their variational bound is on 8-bit values; vectors are used as they are, unbounded.
 */
final class Spaces {
    private Spaces() {
    }

    static void check(String family, DataInfo data) {
        if (!DataInfo.CONTINUOUS.equals(data.kind())) {
            throw new IllegalArgumentException(family + " models continuous data (images as intensities in [0, 1], or"
                    + " vectors); dataset '" + data.name() + "' is " + data.kind());
        }
        long[] shape = data.sampleShape();
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

    static DataScaling scaling(DataInfo data) {
        return isImage(data) ? DataScaling.toUnitInterval(0, 1) : DataScaling.identity();
    }
}
