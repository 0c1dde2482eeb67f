package org.genbench.model.maf.internal;

import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.Score;
import org.genbench.api.tensor.Tensor;
import org.genbench.density.DensityModel;
import org.genbench.density.ModelSpace;
import org.genbench.nn.DType;
import org.genbench.nn.NdArray;

/** A MAF on the data's model space, flattened (see {@link MafFlow}). */
final class MafModel extends DensityModel implements Score {
    private final MafFlow flow;

    MafModel(MafFamily.Config config, DataInfo data, Rng rng, DType dtype) {
        super(MafFamily.NAME, config, data, ModelSpace.continuous(data, MafFamily.NAME), dtype);
        this.flow = new MafFlow(config, dimension, dtype, rng);
        network(flow);
    }

    MafFlow flow() {
        return flow;
    }

    @Override
    protected NdArray logProb(NdArray y, Rng rng) {
        return flow.logProb(y);
    }

    @Override
    protected NdArray sampleModel(int n, Rng rng) {
        return flow.sample(n, rng, dtype);
    }

    @Override
    public Tensor score(Tensor x) {
        return scoreOf(x);
    }
}
