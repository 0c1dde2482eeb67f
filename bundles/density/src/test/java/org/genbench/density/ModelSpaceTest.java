package org.genbench.density;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.Dequantization;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.F;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;
import org.genbench.nn.check.GradCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ModelSpaceTest {
    static final DataInfo LOGIT_BYTES = new DataInfo("bytes", new long[] {2, 3}, DataInfo.DISCRETE, 0, null,
            Dequantization.logit8Bit(0.05));
    static final DataInfo LEVELS = new DataInfo("levels", new long[] {6}, DataInfo.DISCRETE, 0, null,
            new Dequantization(4, 0));

    BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    private Tensor levels(int n, int d, int levels, long seed) {
        Rng rng = new Rng(seed);
        Tensor t = Tensor.allocate(allocator, DType.FLOAT32, n, d);
        for (long i = 0; i < t.size(); i++) {
            t.setDouble(i, rng.nextInt(levels));
        }
        return t;
    }

    /**
     * Training batches land in their cells, through the declared logit, with the pre-transform's log-Jacobian
     * (checked against the api's per-value formula), and the way back quantizes to the same levels.
     */
    @Test
    void dequantizedTrainingValuesGoThroughTheLogitAndBackToTheirLevels() {
        ModelSpace space = ModelSpace.continuous(LOGIT_BYTES, "test");
        assertEquals(ModelSpace.Mode.DEQUANTIZE, space.mode());
        Dequantization dq = LOGIT_BYTES.dequantization();
        try (Tensor x = levels(5, 6, 256, 1); Scope s = Scope.open()) {
            ModelSpace.Mapped m = space.training(x, new Rng(2), org.genbench.nn.DType.F64);
            double[] back = space.toData(m.y()).toDoubleArray();
            for (int r = 0; r < 5; r++) {
                double jac = 0;
                for (int j = 0; j < 6; j++) {
                    int i = r * 6 + j;
                    double xp = dq.fromLogit(m.y().getFlat(i));
                    assertTrue(xp >= x.getDouble(i) / 256 && xp < (x.getDouble(i) + 1) / 256, "x' in its cell");
                    assertEquals(x.getDouble(i), back[i], "quantized back to its level");
                    jac += dq.logitLogJacobian(xp);
                }
                assertEquals(jac, m.logJacobian().getFlat(r), 1e-9);
            }
            assertEquals(-6 * Math.log(256), space.offset(), 1e-12);
            assertEquals(-(1.0 - 6 * Math.log(256)) / (6 * Math.log(2)), space.bitsPerDim(1.0), 1e-12);
        }
    }

    @Test
    void theScoringMapIsDifferentiableInItsInput() {
        ModelSpace space = ModelSpace.continuous(LOGIT_BYTES, "test");
        double[] xp = {0.01, 0.2, 0.5, 0.7, 0.95, 0.999};
        NdArray x = NdArray.wrap(xp, 1, 6);
        GradCheck.assertClose(GradCheck.check(java.util.Map.of(), List.of(x), in -> {
            ModelSpace.Mapped m = space.scoring(in.get(0));
            return F.add(F.sum(F.square(m.y())), F.sum(m.logJacobian()));
        }, 4, 1e-6, 3), 1e-6);
    }

    /** A discrete model's levels: training uses them as they are, scoring recovers them from x' and adds D ln L. */
    @Test
    void aDiscreteModelScoresDequantizedInputsAtTheirLevels() {
        ModelSpace space = ModelSpace.discrete(LEVELS, "test");
        assertEquals(ModelSpace.Mode.QUANTIZE, space.mode());
        try (Tensor x = levels(3, 6, 4, 4); Scope s = Scope.open()) {
            ModelSpace.Mapped train = space.training(x, new Rng(5), org.genbench.nn.DType.F64);
            try (Tensor xp = LEVELS.dequantization().dequantize(x, new Rng(6), allocator)) {
                ModelSpace.Mapped score = space.scoring(F.reshape(NdArray.fromTensor(xp, org.genbench.nn.DType.F64), 3, 6));
                for (int i = 0; i < 18; i++) {
                    assertEquals(x.getDouble(i), train.y().getFlat(i));
                    assertEquals(x.getDouble(i), score.y().getFlat(i));
                }
                for (int r = 0; r < 3; r++) {
                    assertEquals(6 * Math.log(4), score.logJacobian().getFlat(r), 1e-12);
                    assertEquals(6 * Math.log(4), train.logJacobian().getFlat(r), 1e-12);
                }
            }
            // the offset cancels the Jacobian: the data's log-likelihood is the model's log-probability
            assertEquals(0, space.offset() + 6 * Math.log(4), 1e-12);
        }
        try (Tensor bad = Tensor.ofDoubles(allocator, new double[] {0, 1, 2, 3, 4, 0}, 1, 6)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> space.training(bad, new Rng(1), org.genbench.nn.DType.F64));
            assertTrue(e.getMessage().contains("levels 0..3, found 4.0 at index 4"), e.getMessage());
        }
    }

    @Test
    void familiesAreToldWhichDataTheyCannotModel() {
        DataInfo binary = new DataInfo("bits", new long[] {4}, DataInfo.BINARY, 0, null);
        DataInfo continuous = new DataInfo("reals", new long[] {4}, DataInfo.CONTINUOUS, 0, null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelSpace.continuous(binary, "flow"))
                .getMessage().contains("flow is a density of real values; dataset 'bits' is binary"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelSpace.discrete(continuous, "pixelcnn"))
                .getMessage().contains("pixelcnn models discrete values; dataset 'reals' is continuous"));
        assertEquals(ModelSpace.Mode.IDENTITY, ModelSpace.continuous(continuous, "flow").mode());
        assertEquals(ModelSpace.Mode.IDENTITY, ModelSpace.discrete(binary, "made").mode());
        assertEquals(0, ModelSpace.continuous(continuous, "flow").offset());
    }
}
