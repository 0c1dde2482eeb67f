package org.genbench.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.genbench.nn.internal.Dnnl;

/**
 * Convolutions and resampling on NCHW arrays, as PyTorch defines them: {@code conv2d} (weights [out, in, kh, kw]),
 * {@code convTranspose2d} (weights [in, out, kh, kw]), pooling, nearest upsampling and the squeeze of multi-scale
 * flows.
 *
 * <p>How the products are laid out: inside a convolution the images are moved to channels-last order (NHWC) and each
 * output position's receptive field becomes one row of a patch matrix, [images * positions, kh * kw * channels]. In
 * that order a kernel row's taps are contiguous in memory, so building the patch matrix (and its adjoint, scattering
 * gradients back) moves runs of kw * channels values instead of single strided values, and the layer's product is one
 * large BLAS call per chunk of images. Patch matrices are kept for the backward pass when small, rebuilt otherwise.
 */
public final class Conv {
    /** Patch matrices up to this many values per chunk (32 MB of float32). */
    private static final int CHUNK_VALUES = 8 << 20;
    /** Patches kept between forward and backward up to this many values per op; beyond, rebuilt in backward. */
    private static final long CACHE_VALUES = 16L << 20;

    private Conv() {
    }

    /**
     * Geometry of one convolution: input [c, h, w] read by a kh x kw kernel with stride and padding at oh x ow output
     * positions.
     */
    record Geometry(int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow) {
        int patch() {
            return kh * kw * c;
        }

        int positions() {
            return oh * ow;
        }
    }

    /**
     * 2-D convolution: x [n, c, h, w], w [o, c, kh, kw], bias [o] or null; [n, o, oh, ow] with
     * oh = (h + 2 pad - kh) / stride + 1.
     */
    public static NdArray conv2d(NdArray x, NdArray w, NdArray bias, int stride, int pad) {
        F.sameType(x, w);
        if (x.rank() != 4 || w.rank() != 4 || x.dim(1) != w.dim(1)) {
            throw new IllegalArgumentException("conv2d of input " + Arrays.toString(x.shape()) + " with weights "
                    + Arrays.toString(w.shape()) + " (expected [n, c, h, w] and [out, c, kh, kw])");
        }
        checkGeometry(stride, pad);
        int h = x.dim(2);
        int wd = x.dim(3);
        int oh = (h + 2 * pad - w.dim(2)) / stride + 1;
        int ow = (wd + 2 * pad - w.dim(3)) / stride + 1;
        if (h + 2 * pad < w.dim(2) || wd + 2 * pad < w.dim(3)) {
            throw new IllegalArgumentException("conv2d kernel " + w.dim(2) + "x" + w.dim(3) + " larger than the padded input "
                    + h + "x" + wd);
        }
        if (x.dtype() == DType.F32) {
            Dnnl.Key key = new Dnnl.Key(false, x.dim(0), x.dim(1), h, wd, w.dim(0), w.dim(2), w.dim(3), stride, pad, 0,
                    bias != null);
            if (Dnnl.plan(key) != 0) {
                return throughDnnl("conv2d", key, x, w, bias, new int[] {x.dim(0), w.dim(0), oh, ow});
            }
        }
        Geometry geo = new Geometry(x.dim(1), h, wd, w.dim(2), w.dim(3), stride, pad, oh, ow);
        // [o, kh, kw, c] as rows of the patch layout: one recorded permute carries the weight's gradient back
        NdArray wr = F.permute(w, 0, 2, 3, 1);
        return convCore(x, wr, bias, geo);
    }

    /** The convolution on the rearranged weight wr [o, kh, kw, c]. */
    private static NdArray convCore(NdArray x, NdArray wr, NdArray bias, Geometry geo) {
        int n = x.dim(0);
        int o = wr.dim(0);
        int k = geo.patch();
        int positions = geo.positions();
        NdArray xh = toChannelsLast(x);
        NdArray y = NdArray.allocate(x.dtype(), false, n, o, geo.oh(), geo.ow());
        int per = chunk(k * positions);
        Graph g = Autograd.tracking(x, wr, bias);
        boolean cache = g != null && g.needs(wr) && (long) k * positions * n <= CACHE_VALUES;
        List<NdArray> kept = cache ? new ArrayList<>() : null;
        for (int n0 = 0; n0 < n; n0 += per) {
            int nb = Math.min(per, n - n0);
            int rows = nb * positions;
            NdArray patches = NdArray.allocate(x.dtype(), false, rows, k);
            im2col(xh, n0, nb, geo, patches);
            NdArray prod = NdArray.allocate(x.dtype(), false, rows, o);
            F.gemm(false, true, rows, o, k, 1, patches, 0, k, wr, 0, k, 0, prod, 0, o);
            toChannelsFirst(prod, y, n0, nb, positions, o, false, bias);
            if (cache) {
                kept.add(patches);
            }
        }
        if (g != null) {
            Autograd.record(g, "conv2d", y, gy -> {
                boolean wFresh = g.needs(wr) && Autograd.gradFresh(wr);
                NdArray gw = g.needs(wr) ? Autograd.gradBuffer(g, wr) : null;
                NdArray gxh = g.needs(x) ? NdArray.allocate(x.dtype(), true, n, geo.h(), geo.w(), geo.c()) : null;
                NdArray gyh = toChannelsLast(gy);
                int chunkIndex = 0;
                for (int n0 = 0; n0 < n; n0 += per) {
                    int nb = Math.min(per, n - n0);
                    int rows = nb * positions;
                    int at = n0 * positions * o;
                    if (gw != null) {
                        NdArray patches = cache ? kept.get(chunkIndex) : NdArray.allocate(x.dtype(), false, rows, k);
                        if (!cache) {
                            im2col(xh, n0, nb, geo, patches);
                        }
                        F.gemm(true, false, o, k, rows, 1, gyh, at, o, patches, 0, k, wFresh && n0 == 0 ? 0 : 1, gw, 0, k);
                    }
                    if (gxh != null) {
                        NdArray gp = NdArray.allocate(x.dtype(), false, rows, k);
                        F.gemm(false, false, rows, k, o, 1, gyh, at, o, wr, 0, k, 0, gp, 0, k);
                        col2im(gp, gxh, n0, nb, geo);
                    }
                    chunkIndex++;
                }
                if (gw != null) {
                    Autograd.gradWritten(wr);
                }
                if (gxh != null) {
                    accumulateChannelsFirst(g, gxh, x);
                }
                if (bias != null && g.needs(bias)) {
                    accumulateBias(g, gyh, bias);
                }
            });
        }
        return y;
    }

    /**
     * Transposed 2-D convolution (the gradient of conv2d in its input): x [n, c, h, w], w [c, o, kh, kw], bias [o] or
     * null; [n, o, oh, ow] with oh = (h - 1) stride - 2 pad + kh + outputPad.
     */
    public static NdArray convTranspose2d(NdArray x, NdArray w, NdArray bias, int stride, int pad, int outputPad) {
        F.sameType(x, w);
        if (x.rank() != 4 || w.rank() != 4 || x.dim(1) != w.dim(0)) {
            throw new IllegalArgumentException("convTranspose2d of input " + Arrays.toString(x.shape()) + " with weights "
                    + Arrays.toString(w.shape()) + " (expected [n, c, h, w] and [c, out, kh, kw])");
        }
        checkGeometry(stride, pad);
        if (outputPad < 0 || outputPad >= stride) {
            throw new IllegalArgumentException("outputPad must be in [0, stride), was " + outputPad);
        }
        int h = x.dim(2);
        int wd = x.dim(3);
        int oh = (h - 1) * stride - 2 * pad + w.dim(2) + outputPad;
        int ow = (wd - 1) * stride - 2 * pad + w.dim(3) + outputPad;
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("convTranspose2d output would be " + oh + "x" + ow);
        }
        if (x.dtype() == DType.F32) {
            Dnnl.Key key = new Dnnl.Key(true, x.dim(0), x.dim(1), h, wd, w.dim(1), w.dim(2), w.dim(3), stride, pad,
                    outputPad, bias != null);
            if (Dnnl.plan(key) != 0) {
                return throughDnnl("conv_transpose2d", key, x, w, bias, new int[] {x.dim(0), w.dim(1), oh, ow});
            }
        }
        // the convolution whose input gradient this is: its input is [o, oh, ow], its output positions h x w
        Geometry geo = new Geometry(w.dim(1), oh, ow, w.dim(2), w.dim(3), stride, pad, h, wd);
        NdArray wt = F.permute(w, 0, 2, 3, 1); // [c, kh, kw, o]
        return convTransposeCore(x, wt, bias, geo);
    }

    private static NdArray convTransposeCore(NdArray x, NdArray wt, NdArray bias, Geometry geo) {
        int n = x.dim(0);
        int c = x.dim(1);
        int o = geo.c();
        int k = geo.patch();
        int positions = geo.positions();
        NdArray xh = toChannelsLast(x);
        NdArray yh = NdArray.allocate(x.dtype(), true, n, geo.h(), geo.w(), o);
        int per = chunk(k * positions);
        for (int n0 = 0; n0 < n; n0 += per) {
            int nb = Math.min(per, n - n0);
            int rows = nb * positions;
            NdArray patches = NdArray.allocate(x.dtype(), false, rows, k);
            F.gemm(false, false, rows, k, c, 1, xh, n0 * positions * c, c, wt, 0, k, 0, patches, 0, k);
            col2im(patches, yh, n0, nb, geo);
        }
        NdArray y = NdArray.allocate(x.dtype(), false, n, o, geo.h(), geo.w());
        toChannelsFirst(yh, y, 0, n, geo.h() * geo.w(), o, false, bias);
        Graph g = Autograd.tracking(x, wt, bias);
        if (g != null) {
            Autograd.record(g, "conv_transpose2d", y, gy -> {
                boolean wFresh = g.needs(wt) && Autograd.gradFresh(wt);
                NdArray gw = g.needs(wt) ? Autograd.gradBuffer(g, wt) : null;
                NdArray gxh = g.needs(x) ? NdArray.allocate(x.dtype(), false, n * positions, c) : null;
                NdArray gyh = toChannelsLast(gy);
                for (int n0 = 0; n0 < n; n0 += per) {
                    int nb = Math.min(per, n - n0);
                    int rows = nb * positions;
                    NdArray patches = NdArray.allocate(x.dtype(), false, rows, k);
                    im2col(gyh, n0, nb, geo, patches);
                    if (gxh != null) {
                        F.gemm(false, true, rows, c, k, 1, patches, 0, k, wt, 0, k, 0, gxh, n0 * positions * c, c);
                    }
                    if (gw != null) {
                        F.gemm(true, false, c, k, rows, 1, xh, n0 * positions * c, c, patches, 0, k,
                                wFresh && n0 == 0 ? 0 : 1, gw, 0, k);
                    }
                }
                if (gw != null) {
                    Autograd.gradWritten(wt);
                }
                if (gxh != null) {
                    accumulateChannelsFirst(g, gxh, x);
                }
                if (bias != null && g.needs(bias)) {
                    accumulateBias(g, gyh, bias);
                }
            });
        }
        return y;
    }

    /**
     * A (transposed) convolution of float32 arrays through oneDNN: the arrays stay in PyTorch's layouts (NCHW,
     * weights [out, in, kh, kw] or [in, out, kh, kw]) and are pinned for each call; gradients are written or added in
     * place.
     */
    private static NdArray throughDnnl(String op, Dnnl.Key key, NdArray x, NdArray w, NdArray bias, int[] outShape) {
        NdArray y = NdArray.allocate(x.dtype(), false, outShape);
        Dnnl.forward(Dnnl.plan(key), x.f(), w.f(), bias == null ? null : bias.f(), y.f());
        Graph g = Autograd.tracking(x, w, bias);
        if (g != null) {
            Autograd.record(g, op, y, gy -> {
                boolean nx = g.needs(x);
                boolean nw = g.needs(w);
                boolean nb = bias != null && g.needs(bias);
                boolean xAdd = nx && !Autograd.gradFresh(x);
                boolean wAdd = nw && !Autograd.gradFresh(w);
                boolean bAdd = nb && !Autograd.gradFresh(bias);
                float[] gx = nx ? Autograd.gradBuffer(g, x).f() : null;
                float[] gw = nw ? Autograd.gradBuffer(g, w).f() : null;
                float[] gb = nb ? Autograd.gradBuffer(g, bias).f() : null;
                Dnnl.backward(Dnnl.plan(key), x.f(), w.f(), gy.f(), gx, xAdd, gw, wAdd, gb, bAdd);
                if (nx) {
                    Autograd.gradWritten(x);
                }
                if (nw) {
                    Autograd.gradWritten(w);
                }
                if (nb) {
                    Autograd.gradWritten(bias);
                }
            });
        }
        return y;
    }

    private static void checkGeometry(int stride, int pad) {
        if (stride < 1) {
            throw new IllegalArgumentException("stride must be >= 1, was " + stride);
        }
        if (pad < 0) {
            throw new IllegalArgumentException("padding must be >= 0, was " + pad);
        }
    }

    private static int chunk(int valuesPerImage) {
        return Math.max(1, CHUNK_VALUES / Math.max(1, valuesPerImage));
    }

    /**
     * patches[(b, oy, ox), (i, j, c)] = xh[n0 + b, oy s - p + i, ox s - p + j, c], zero outside the image; xh is
     * channels-last [n, h, w, c]. For one kernel row the taps in range are one contiguous run of xh.
     */
    static void im2col(NdArray xh, int n0, int nb, Geometry g, NdArray patches) {
        int c = g.c();
        int k = g.patch();
        int rowLen = g.kw() * c;
        boolean f32 = xh.dtype() == DType.F32;
        for (int b = 0; b < nb; b++) {
            int img = (n0 + b) * g.h() * g.w() * c;
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    int dst = ((b * g.oh() + oy) * g.ow() + ox) * k;
                    int ix0 = ox * g.stride() - g.pad();
                    int j0 = Math.max(0, -ix0);
                    int j1 = Math.min(g.kw(), g.w() - ix0);
                    for (int ki = 0; ki < g.kh(); ki++) {
                        int iy = oy * g.stride() - g.pad() + ki;
                        int d = dst + ki * rowLen;
                        if (iy < 0 || iy >= g.h() || j1 <= j0) {
                            fill(patches, d, rowLen, f32);
                            continue;
                        }
                        if (j0 > 0) {
                            fill(patches, d, j0 * c, f32);
                        }
                        int src = img + (iy * g.w() + ix0 + j0) * c;
                        F.copy(xh, src, patches, d + j0 * c, (j1 - j0) * c);
                        if (j1 < g.kw()) {
                            fill(patches, d + j1 * c, (g.kw() - j1) * c, f32);
                        }
                    }
                }
            }
        }
    }

    private static void fill(NdArray a, int from, int len, boolean f32) {
        if (f32) {
            Arrays.fill(a.f(), from, from + len, 0f);
        } else {
            Arrays.fill(a.d(), from, from + len, 0d);
        }
    }

    /** The adjoint of im2col: xh[n0 + b, ...] += each patch entry at the position it was read from. */
    static void col2im(NdArray patches, NdArray xh, int n0, int nb, Geometry g) {
        int c = g.c();
        int k = g.patch();
        int rowLen = g.kw() * c;
        boolean f32 = xh.dtype() == DType.F32;
        float[] xf = f32 ? xh.f() : null;
        float[] pf = f32 ? patches.f() : null;
        double[] xd = f32 ? null : xh.d();
        double[] pd = f32 ? null : patches.d();
        for (int b = 0; b < nb; b++) {
            int img = (n0 + b) * g.h() * g.w() * c;
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    int src = ((b * g.oh() + oy) * g.ow() + ox) * k;
                    int ix0 = ox * g.stride() - g.pad();
                    int j0 = Math.max(0, -ix0);
                    int j1 = Math.min(g.kw(), g.w() - ix0);
                    if (j1 <= j0) {
                        continue;
                    }
                    int len = (j1 - j0) * c;
                    for (int ki = 0; ki < g.kh(); ki++) {
                        int iy = oy * g.stride() - g.pad() + ki;
                        if (iy < 0 || iy >= g.h()) {
                            continue;
                        }
                        int s = src + ki * rowLen + j0 * c;
                        int d = img + (iy * g.w() + ix0 + j0) * c;
                        if (f32) {
                            for (int i = 0; i < len; i++) {
                                xf[d + i] += pf[s + i];
                            }
                        } else {
                            for (int i = 0; i < len; i++) {
                                xd[d + i] += pd[s + i];
                            }
                        }
                    }
                }
            }
        }
    }

    /** x [n, c, h, w] as channels-last [n, h, w, c] (x itself when c is 1). */
    static NdArray toChannelsLast(NdArray x) {
        int n = x.dim(0);
        int c = x.dim(1);
        int p = x.size() / Math.max(1, n * c);
        if (c == 1) {
            return x;
        }
        NdArray out = NdArray.allocate(x.dtype(), false, n, x.dim(2), x.dim(3), c);
        for (int b = 0; b < n; b++) {
            transpose(x, b * c * p, c, p, out, b * c * p);
        }
        return out;
    }

    /**
     * src [nb * positions, c] (channels last) into dst [n, c, positions] at images n0..: written, or added when
     * {@code add}; plus bias[c] when given.
     */
    static void toChannelsFirst(NdArray src, NdArray dst, int n0, int nb, int positions, int c, boolean add, NdArray bias) {
        boolean f32 = src.dtype() == DType.F32;
        for (int b = 0; b < nb; b++) {
            int so = b * positions * c;
            int doff = (n0 + b) * c * positions;
            if (!add && bias == null) {
                transpose(src, so, positions, c, dst, doff);
                continue;
            }
            for (int ch = 0; ch < c; ch++) {
                int d = doff + ch * positions;
                if (f32) {
                    float[] sf = src.f();
                    float[] df = dst.f();
                    float bv = bias == null ? 0f : bias.f()[ch];
                    for (int i = 0; i < positions; i++) {
                        float v = sf[so + i * c + ch] + bv;
                        df[d + i] = add ? df[d + i] + v : v;
                    }
                } else {
                    double bv = bias == null ? 0 : bias.d()[ch];
                    for (int i = 0; i < positions; i++) {
                        double v = src.d()[so + i * c + ch] + bv;
                        dst.d()[d + i] = add ? dst.d()[d + i] + v : v;
                    }
                }
            }
        }
    }

    /** Adds the channels-last gradient gxh to x's (channels-first) gradient. */
    private static void accumulateChannelsFirst(Graph g, NdArray gxh, NdArray x) {
        int n = x.dim(0);
        int c = x.dim(1);
        int p = x.size() / Math.max(1, n * c);
        boolean fresh = Autograd.gradFresh(x);
        NdArray gx = Autograd.gradBuffer(g, x);
        if (c == 1) {
            if (fresh) {
                F.copy(gxh, 0, gx, 0, x.size());
            } else {
                for (int i = 0; i < x.size(); i++) {
                    gx.setFlat(i, gx.getFlat(i) + gxh.getFlat(i));
                }
            }
        } else {
            toChannelsFirst(gxh, gx, 0, n, p, c, !fresh, null);
        }
        Autograd.gradWritten(x);
    }

    /** dst[off + j * rows + i] = src[off' + i * cols + j]: a rows x cols block transposed, in cache-sized tiles. */
    private static void transpose(NdArray src, int so, int rows, int cols, NdArray dst, int doff) {
        final int tile = 32;
        if (src.dtype() == DType.F32) {
            float[] s = src.f();
            float[] d = dst.f();
            for (int i0 = 0; i0 < rows; i0 += tile) {
                int i1 = Math.min(rows, i0 + tile);
                for (int j0 = 0; j0 < cols; j0 += tile) {
                    int j1 = Math.min(cols, j0 + tile);
                    for (int i = i0; i < i1; i++) {
                        for (int j = j0; j < j1; j++) {
                            d[doff + j * rows + i] = s[so + i * cols + j];
                        }
                    }
                }
            }
        } else {
            double[] s = src.d();
            double[] d = dst.d();
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    d[doff + j * rows + i] = s[so + i * cols + j];
                }
            }
        }
    }

    /** bias's gradient += column sums of the channels-last gradient gyh [rows, c]. */
    private static void accumulateBias(Graph g, NdArray gyh, NdArray bias) {
        int c = bias.size();
        int rows = gyh.size() / c;
        boolean fresh = Autograd.gradFresh(bias);
        NdArray gb = Autograd.gradBuffer(g, bias);
        F.columnSums(gyh, rows, c, gb, fresh);
        Autograd.gradWritten(bias);
    }

    // ------------------------------------------------------------------------------------------------ resampling

    /** Mean over non-overlapping k x k windows: [n, c, h, w] to [n, c, h / k, w / k] (h, w multiples of k). */
    public static NdArray avgPool2d(NdArray x, int k) {
        int[] s = x.shape();
        if (s.length != 4 || s[2] % k != 0 || s[3] % k != 0) {
            throw new IllegalArgumentException("avgPool2d(" + k + ") of " + Arrays.toString(s));
        }
        int n = s[0] * s[1];
        int h = s[2];
        int w = s[3];
        int oh = h / k;
        int ow = w / k;
        NdArray y = NdArray.allocate(x.dtype(), false, s[0], s[1], oh, ow);
        double inv = 1.0 / (k * k);
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double acc = 0;
                    for (int a = 0; a < k; a++) {
                        for (int b = 0; b < k; b++) {
                            acc += x.getFlat(p * h * w + (i * k + a) * w + j * k + b);
                        }
                    }
                    y.setFlat(p * oh * ow + i * ow + j, acc * inv);
                }
            }
        }
        Graph g = Autograd.tracking(x);
        if (g != null) {
            Autograd.record(g, "avg_pool2d", y, gy -> {
                NdArray gx = F.like(x);
                for (int p = 0; p < n; p++) {
                    for (int i = 0; i < h; i++) {
                        for (int j = 0; j < w; j++) {
                            gx.setFlat(p * h * w + i * w + j, gy.getFlat(p * oh * ow + (i / k) * ow + j / k) * inv);
                        }
                    }
                }
                Autograd.accumulate(g, x, gx);
            });
        }
        return y;
    }

    /** Nearest-neighbour upsampling by an integer factor: [n, c, h, w] to [n, c, h k, w k]. */
    public static NdArray upsampleNearest2d(NdArray x, int k) {
        int[] s = x.shape();
        if (s.length != 4 || k < 1) {
            throw new IllegalArgumentException("upsampleNearest2d(" + k + ") of " + Arrays.toString(s));
        }
        int n = s[0] * s[1];
        int h = s[2];
        int w = s[3];
        int oh = h * k;
        int ow = w * k;
        NdArray y = NdArray.allocate(x.dtype(), false, s[0], s[1], oh, ow);
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    y.setFlat(p * oh * ow + i * ow + j, x.getFlat(p * h * w + (i / k) * w + j / k));
                }
            }
        }
        Graph g = Autograd.tracking(x);
        if (g != null) {
            Autograd.record(g, "upsample_nearest2d", y, gy -> {
                NdArray gx = NdArray.zeros(x.dtype(), s);
                for (int p = 0; p < n; p++) {
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            int q = p * h * w + (i / k) * w + j / k;
                            gx.setFlat(q, gx.getFlat(q) + gy.getFlat(p * oh * ow + i * ow + j));
                        }
                    }
                }
                Autograd.accumulate(g, x, gx);
            });
        }
        return y;
    }

    /**
     * The squeeze of multi-scale flows (space to depth): [n, c, h, w] to [n, 4c, h/2, w/2], each 2x2 block of a
     * channel becoming four channels (c*4 + 2*di + dj); invertible by {@link #unsqueeze2d}.
     */
    public static NdArray squeeze2d(NdArray x) {
        int[] s = x.shape();
        if (s.length != 4 || s[2] % 2 != 0 || s[3] % 2 != 0) {
            throw new IllegalArgumentException("squeeze2d of " + Arrays.toString(s) + " (needs even height and width)");
        }
        NdArray r = F.reshape(x, s[0], s[1], s[2] / 2, 2, s[3] / 2, 2);
        NdArray p = F.permute(r, 0, 1, 3, 5, 2, 4);
        return F.reshape(p, s[0], s[1] * 4, s[2] / 2, s[3] / 2);
    }

    /** The inverse of {@link #squeeze2d}: [n, 4c, h, w] to [n, c, 2h, 2w]. */
    public static NdArray unsqueeze2d(NdArray x) {
        int[] s = x.shape();
        if (s.length != 4 || s[1] % 4 != 0) {
            throw new IllegalArgumentException("unsqueeze2d of " + Arrays.toString(s) + " (needs channels divisible by 4)");
        }
        NdArray r = F.reshape(x, s[0], s[1] / 4, 2, 2, s[2], s[3]);
        NdArray p = F.permute(r, 0, 1, 4, 2, 5, 3);
        return F.reshape(p, s[0], s[1] / 4, s[2] * 2, s[3] * 2);
    }
}
