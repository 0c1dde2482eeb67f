package org.genbench.model.pixelcnn.internal;

import java.util.Set;
import org.genbench.api.Autoregressive;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.GradientTrainable;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.osgi.service.component.annotations.Component;

/**
 * PixelCNN (van den Oord et al. 2016) on single-channel images: a 256-way softmax per pixel for 8-bit data (the exact
 * discrete log-likelihood; bits/dim on the 8-bit scale) or a Bernoulli per pixel for binary data (nats), generated
 * pixel by pixel.
 */
@Component(service = ModelFamily.class)
public final class PixelCnnFamily implements ModelFamily<PixelCnnFamily.Config> {
    public static final String NAME = "pixelcnn";

    /**
     * @param channels     h: the residual blocks run at 2h channels with an h-channel bottleneck, 1..1024 (default 32)
     * @param blocks       residual blocks, 0..64 (default 5)
     * @param kernel       the first (type A) convolution's size, odd, 3..15 (default 7)
     * @param headChannels width of the 1x1 output head, 1..4096 (default 64)
     */
    public record Config(Integer channels, Integer blocks, Integer kernel, Integer headChannels) {
        public Config {
            channels = channels == null ? 32 : channels;
            blocks = blocks == null ? 5 : blocks;
            kernel = kernel == null ? 7 : kernel;
            headChannels = headChannels == null ? 64 : headChannels;
            if (channels < 1 || channels > 1024) {
                throw new IllegalArgumentException("channels must be in 1..1024, was " + channels);
            }
            if (blocks < 0 || blocks > 64) {
                throw new IllegalArgumentException("blocks must be in 0..64, was " + blocks);
            }
            if (kernel < 3 || kernel > 15 || kernel % 2 == 0) {
                throw new IllegalArgumentException("kernel must be odd and in 3..15, was " + kernel);
            }
            if (headChannels < 1 || headChannels > 4096) {
                throw new IllegalArgumentException("headChannels must be in 1..4096, was " + headChannels);
            }
        }

        public static Config defaults() {
            return new Config(null, null, null, null);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "PixelCNN: masked convolutions A/B, residual blocks; 256-way softmax (8-bit) or Bernoulli (binary);"
                + " exact likelihood, pixel-by-pixel sampling";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(LogDensity.class, DirectSampling.class, Autoregressive.class, GradientTrainable.class,
                Persistent.class);
    }

    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        return new PixelCnnModel(config, data, rng, org.genbench.nn.DType.F32);
    }
}
