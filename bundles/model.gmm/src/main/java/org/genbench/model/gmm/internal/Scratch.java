package org.genbench.model.gmm.internal;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ND4J temporaries of one computation, freed when it ends. Left to the garbage collector, an EM step on 10^5 points
 * leaves tens of MB of off-heap memory behind per iteration, and the collector only learns of it under pressure.
 * Register only arrays that own their buffer (results of ops), never views of inputs or arrays handed out.
 */
final class Scratch implements AutoCloseable {
    private final List<INDArray> arrays = new ArrayList<>();

    INDArray add(INDArray array) {
        arrays.add(array);
        return array;
    }

    /** Frees {@code array} now, before the computation ends; it must have been added. */
    void free(INDArray array) {
        for (int i = arrays.size() - 1; i >= 0; i--) {
            if (arrays.get(i) == array) {
                arrays.remove(i);
                release(array);
                return;
            }
        }
        throw new IllegalStateException("array was not added to this scratch");
    }

    @Override
    public void close() {
        for (int i = arrays.size() - 1; i >= 0; i--) {
            release(arrays.get(i));
        }
        arrays.clear();
    }

    private static void release(INDArray array) {
        if (array.closeable()) {
            array.close();
        }
    }
}
