package org.genbench.diffusion.internal;

/**
 * The standard normal's tail probabilities in log space, accurate far into the tails (a discretized Gaussian decoder
 * with a sharp scale puts most values there): log Q(x) = log P(Z > x) from erfc, by its power series near zero and
 * Lentz's continued fraction elsewhere, and log(Phi(b) - Phi(a)) without cancellation.
 */
public final class Gauss {
    private static final double LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
    private static final double SQRT2 = Math.sqrt(2);

    private Gauss() {
    }

    /** log P(Z > x) for a standard normal Z. */
    public static double logQ(double x) {
        if (x == Double.NEGATIVE_INFINITY) {
            return 0;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        double y = x / SQRT2;
        if (y >= 0.5) {
            return Math.log(0.5) + logErfcPositive(y);
        }
        if (y > -0.5) {
            return Math.log(0.5 * (1 - erfSeries(y)));
        }
        // the lower tail: Q(x) = 1 - Q(-x)
        return Math.log1p(-0.5 * Math.exp(logErfcPositive(-y)));
    }

    /** log(Phi(b) - Phi(a)) for a < b (either may be infinite). */
    public static double logIntervalProbability(double a, double b) {
        if (!(a < b)) {
            throw new IllegalArgumentException("an interval needs a < b, got [" + a + ", " + b + "]");
        }
        if (a >= 0) {
            double la = logQ(a);
            double lb = logQ(b);
            return la + Math.log1p(-Math.exp(lb - la));
        }
        if (b <= 0) {
            double lb = logQ(-b);
            double la = logQ(-a);
            return lb + Math.log1p(-Math.exp(la - lb));
        }
        return Math.log1p(-(Math.exp(logQ(-a)) + Math.exp(logQ(b))));
    }

    /** erf(y) by its Maclaurin series; for |y| < 0.5 it converges in under 20 terms to double precision. */
    private static double erfSeries(double y) {
        double y2 = y * y;
        double term = y;
        double sum = y;
        for (int n = 1; n < 60; n++) {
            term *= -y2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    /**
     * log erfc(y) for y >= 0.5: erfc(y) = exp(-y^2) / sqrt(pi) * 1 / (y + (1/2) / (y + 1 / (y + (3/2) / (y + ...)))),
     * evaluated by the modified Lentz method.
     */
    private static double logErfcPositive(double y) {
        double tiny = 1e-300;
        // continued fraction b0 + a1 / (b1 + a2 / (b2 + ...)) with b_k = y, a_k = k / 2
        double f = y;
        double c = y;
        double d = 0;
        for (int k = 1; k < 5000; k++) {
            double ak = k / 2.0;
            d = y + ak * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = y + ak / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return -y * y - LOG_SQRT_PI - Math.log(f);
    }
}
