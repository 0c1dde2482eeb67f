package org.genbench.density;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;
import org.genbench.nn.check.GradCheck;
import org.junit.jupiter.api.Test;

class FlowBatchNormTest {
    static NdArray randn(long seed, int... shape) {
        return NdArray.wrap(NdArray.randn(new Rng(seed), DType.F64, 1.0, shape).toDoubleArray(), shape);
    }

    @Test
    void trainingModePassesAGradientCheckThroughTheBatchStatistics() {
        FlowBatchNorm bn = new FlowBatchNorm(3, DType.F64);
        bn.parameters().values().forEach(p -> {
            Rng rng = new Rng(p.size());
            for (int i = 0; i < p.size(); i++) {
                p.setFlat(i, 0.3 * rng.nextGaussian());
            }
        });
        for (int[] shape : List.of(new int[] {5, 3}, new int[] {4, 3, 2, 2})) {
            GradCheck.assertClose(GradCheck.check(bn.parameters(), List.of(randn(1, shape)), in -> {
                NdArray[] r = bn.forward(in.get(0));
                NdArray w = randn(2, r[0].shape());
                return F.add(F.sum(F.mul(r[0], w)), F.sum(r[1]));
            }, 3, 1e-5, 4), 1e-6);
        }
    }

    /** In evaluation the map is affine per channel: its inverse undoes it, and log |det| is exact. */
    @Test
    void evaluationModeInvertsAndReportsTheAffineMapsLogDeterminant() {
        FlowBatchNorm bn = new FlowBatchNorm(2, 0.5, 1e-5, DType.F64);
        try (Scope s = Scope.open()) {
            bn.forward(F.add(F.mul(randn(3, 50, 2, 3), 2.0), 1.0)); // moves the running statistics
        }
        bn.train(false);
        NdArray x = randn(4, 3, 2, 3);
        try (Scope s = Scope.open()) {
            NdArray[] r = bn.forward(x);
            double[] back = bn.inverse(r[0]).toDoubleArray();
            double[] xv = x.toDoubleArray();
            for (int i = 0; i < xv.length; i++) {
                assertEquals(xv[i], back[i], 1e-12);
            }
            // per channel, y = a x + b: log |det| = positions * sum log a, with a from two points of the map
            double logDet = 0;
            for (int c = 0; c < 2; c++) {
                NdArray zero = NdArray.zeros(DType.F64, 1, 2, 1);
                NdArray one = NdArray.zeros(DType.F64, 1, 2, 1);
                one.set(1, 0, c, 0);
                double a = bn.forward(one)[0].get(0, c, 0) - bn.forward(zero)[0].get(0, c, 0);
                logDet += 3 * Math.log(Math.abs(a));
            }
            assertEquals(logDet, r[1].getFlat(0), 1e-12);
            assertEquals(logDet, r[1].getFlat(2), 1e-12);
        }
    }
}
