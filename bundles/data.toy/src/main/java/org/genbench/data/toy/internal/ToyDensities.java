package org.genbench.data.toy.internal;

/**
 * The log-densities of the toy shapes as {@link ToyDatasets#generate} draws them, so a model's held-out
 * log-likelihood can be put beside the truth's. Eight Gaussians and the noisy checkerboard are in closed form
 * (a Gaussian mixture; uniform squares convolved with a Gaussian, a product of normal CDF differences); two moons
 * and the swiss roll are a curve's uniform parameter convolved with a Gaussian, integrated over the parameter by a
 * 4096-node midpoint rule in log space (the integrand is smooth with a width of noise / speed in the parameter, at
 * least 0.07 for the default noises, against a node spacing of at most 0.0023).
 */
final class ToyDensities {
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    private static final int NODES = 4096;

    private ToyDensities() {
    }

    /** Whether the shape with this noise has a density (a noiseless curve or point set has none). */
    static boolean exists(String shape, double noise) {
        return noise > 0 || shape.equals("checkerboard");
    }

    /** log p(x, y) in nats. */
    static double logDensity(String shape, double noise, double x, double y) {
        if (!exists(shape, noise)) {
            throw new IllegalStateException(shape + " with noise 0 has no density");
        }
        return switch (shape) {
            case "eight-gaussians" -> eightGaussians(noise, x, y);
            case "checkerboard" -> checkerboard(noise, x, y);
            case "two-moons" -> twoMoons(noise, x, y);
            case "swiss-roll" -> swissRoll(noise, x, y);
            default -> throw new IllegalArgumentException("unknown shape " + shape);
        };
    }

    private static double logGauss2(double dx, double dy, double s) {
        return -(dx * dx + dy * dy) / (2 * s * s) - LOG_2PI - 2 * Math.log(s);
    }

    private static double eightGaussians(double s, double x, double y) {
        double[] terms = new double[8];
        double r = 2 * Math.sqrt(2);
        for (int k = 0; k < 8; k++) {
            double a = k * Math.PI / 4;
            terms[k] = logGauss2(x - r * Math.cos(a), y - r * Math.sin(a), s) - Math.log(8);
        }
        return logSumExp(terms, 8);
    }

    /** Uniform on the 8 black squares of side 2 in [-4, 4]^2 (density 1/32), convolved with N(0, s^2 I). */
    private static double checkerboard(double s, double x, double y) {
        double[] terms = new double[8];
        int k = 0;
        for (int i = -2; i < 2; i++) {
            for (int j = -2; j < 2; j++) {
                if (Math.floorMod(i + j, 2) != 0) {
                    continue;
                }
                double x0 = 2 * i;
                double y0 = 2 * j;
                if (s == 0) {
                    boolean inside = x >= x0 && x < x0 + 2 && y >= y0 && y < y0 + 2;
                    terms[k++] = inside ? -Math.log(32) : Double.NEGATIVE_INFINITY;
                } else {
                    terms[k++] = -Math.log(32) + logNormalMass((x0 - x) / s, (x0 + 2 - x) / s)
                            + logNormalMass((y0 - y) / s, (y0 + 2 - y) / s);
                }
            }
        }
        return logSumExp(terms, k);
    }

    /** The curve's points at the midpoint nodes, interleaved x, y: both moons (upper, lower alternating). */
    private static final double[] MOONS = curve("two-moons");
    private static final double[] ROLL = curve("swiss-roll");

    private static double[] curve(String shape) {
        boolean moons = shape.equals("two-moons");
        double[] xy = new double[(moons ? 4 : 2) * NODES];
        for (int i = 0; i < NODES; i++) {
            if (moons) {
                double t = (i + 0.5) * Math.PI / NODES;
                double c = Math.cos(t);
                double sn = Math.sin(t);
                xy[4 * i] = 2 * c - 1;
                xy[4 * i + 1] = 2 * sn - 0.2;
                xy[4 * i + 2] = 1 - 2 * c;
                xy[4 * i + 3] = 0.8 - 2 * sn;
            } else {
                double t = 1.5 * Math.PI + (i + 0.5) * 3 * Math.PI / NODES;
                xy[2 * i] = t * Math.cos(t) / 5;
                xy[2 * i + 1] = t * Math.sin(t) / 5;
            }
        }
        return xy;
    }

    private static double twoMoons(double s, double x, double y) {
        // each moon has weight 1/2 and its parameter density 1/pi: every node weighs 1/(2 NODES)
        return curveDensity(MOONS, Math.log(0.5 / NODES), s, x, y);
    }

    private static double swissRoll(double s, double x, double y) {
        return curveDensity(ROLL, -Math.log(NODES), s, x, y);
    }

    /**
     * log of the node-weighted sum of Gaussians around the curve's nodes: only nodes within sqrt(80) s of the nearest
     * one's distance contribute more than e^-40 of the largest term, so the others are skipped.
     */
    private static double curveDensity(double[] nodes, double logWeight, double s, double x, double y) {
        int n = nodes.length / 2;
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double dx = x - nodes[2 * i];
            double dy = y - nodes[2 * i + 1];
            min = Math.min(min, dx * dx + dy * dy);
        }
        double cut = min + 80 * s * s;
        double inv = 1 / (2 * s * s);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double dx = x - nodes[2 * i];
            double dy = y - nodes[2 * i + 1];
            double d2 = dx * dx + dy * dy;
            if (d2 <= cut) {
                sum += Math.exp(-(d2 - min) * inv);
            }
        }
        return logWeight + Math.log(sum) - min * inv - LOG_2PI - 2 * Math.log(s);
    }

    private static double logSumExp(double[] v, int n) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, v[i]);
        }
        if (m == Double.NEGATIVE_INFINITY) {
            return m;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(v[i] - m);
        }
        return m + Math.log(sum);
    }

    /** log(Phi(b) - Phi(a)) for a < b, accurate in either tail. */
    static double logNormalMass(double a, double b) {
        if (a >= 0) {
            // both in the upper tail: Phi(b) - Phi(a) = Q(a) - Q(b), Q(z) = erfc(z / sqrt 2) / 2
            double la = logQ(a);
            double lb = logQ(b);
            return la + Math.log1p(-Math.exp(lb - la));
        }
        if (b <= 0) {
            return logNormalMass(-b, -a);
        }
        // a < 0 < b: one minus both tails
        return Math.log1p(-Math.exp(logQ(-a)) - Math.exp(logQ(b)));
    }

    /** log Q(z) = log P(Z > z) for z >= 0. */
    static double logQ(double z) {
        return Math.log(0.5) + logErfc(z / Math.sqrt(2));
    }

    /**
     * log erfc(x) for x >= 0: the Maclaurin series of erf below 3 (alternating; at most about 4 of 16 digits lost),
     * the continued fraction erfc(x) = exp(-x^2) / sqrt(pi) / (x + 1/2 / (x + 1 / (x + 3/2 / (x + ...)))) from 3
     * (modified Lentz), in log space so that it never underflows.
     */
    static double logErfc(double x) {
        if (x < 0) {
            throw new IllegalArgumentException("logErfc needs x >= 0, was " + x);
        }
        if (x < 3) {
            double term = x;
            double sum = x;
            double x2 = x * x;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return Math.log1p(-2 / Math.sqrt(Math.PI) * sum);
        }
        // f = x + a1 / (x + a2 / (x + ...)), a_k = k / 2
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0;
        for (int k = 1; k < 500; k++) {
            double a = k / 2.0;
            d = x + a * d;
            d = d == 0 ? tiny : d;
            c = x + a / c;
            c = c == 0 ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return -x * x - 0.5 * Math.log(Math.PI) - Math.log(f);
    }
}
