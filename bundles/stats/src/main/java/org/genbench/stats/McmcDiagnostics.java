package org.genbench.stats;

import java.util.Arrays;

/**
 * Split R-hat and effective sample size for one scalar quantity, given as {@code chains[c][i]}: draw {@code i} of
 * chain {@code c}, all chains the same length. The definitions follow Vehtari et al. (2021) and the reference
 * implementation in the R package {@code posterior}, so numbers agree with Stan, ArviZ and posterior.
 *
 * <p>Results are {@code NaN} where the quantity is undefined: a non-finite draw, or draws that do not vary.
 */
public final class McmcDiagnostics {
    /** Fewest draws per chain: each half-chain must keep two draws to have a variance. */
    public static final int MIN_DRAWS = 4;

    private McmcDiagnostics() {
    }

    /**
     * Classic split R-hat (Gelman et al., BDA3): each chain cut in halves (an odd middle draw dropped), then the
     * ratio of the pooled variance estimate to the mean within-chain variance, square-rooted.
     */
    public static double splitRhat(double[][] chains) {
        return rhat(split(check(chains)));
    }

    /**
     * Rank-normalized split R-hat: the larger of the bulk value (split R-hat of the normal scores of the pooled
     * ranks) and the tail value (the same on draws folded about their median). Unlike classic R-hat, it sees
     * chains that differ only in scale and works for heavy tails. Below 1.01 is the usual threshold.
     */
    public static double rankNormalizedSplitRhat(double[][] chains) {
        double[][] split = split(check(chains));
        if (!allFinite(split)) {
            return Double.NaN;
        }
        double bulk = rhat(rankNormalize(split));
        double tail = rhat(rankNormalize(fold(split)));
        return Math.max(bulk, tail);
    }

    /** Bulk effective sample size: {@link #ess} of the rank-normalized split chains; robust to heavy tails. */
    public static double essBulk(double[][] chains) {
        double[][] split = split(check(chains));
        if (!allFinite(split)) {
            return Double.NaN;
        }
        return essOfSplit(rankNormalize(split));
    }

    /**
     * Effective sample size of the draws as they are (split chains, no rank normalization): the one to divide a
     * standard deviation by for the Monte Carlo standard error of a mean.
     */
    public static double ess(double[][] chains) {
        return essOfSplit(split(check(chains)));
    }

    /**
     * Normal scores of the pooled ranks: rank r of S draws (ties get their average rank) becomes
     * Phi^-1((r - 3/8) / (S + 1/4)) (Blom's offset), in the same layout.
     */
    public static double[][] rankNormalize(double[][] chains) {
        int m = chains.length;
        int n = chains[0].length;
        int s = m * n;
        double[] pooled = new double[s];
        for (int c = 0; c < m; c++) {
            System.arraycopy(chains[c], 0, pooled, c * n, n);
        }
        Integer[] order = new Integer[s];
        for (int i = 0; i < s; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(pooled[a], pooled[b]));
        double[] z = new double[s];
        int i = 0;
        while (i < s) {
            int j = i;
            while (j + 1 < s && pooled[order[j + 1]] == pooled[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1.0;
            double score = normalQuantile((rank - 0.375) / (s + 0.25));
            for (int k = i; k <= j; k++) {
                z[order[k]] = score;
            }
            i = j + 1;
        }
        double[][] out = new double[m][n];
        for (int c = 0; c < m; c++) {
            System.arraycopy(z, c * n, out[c], 0, n);
        }
        return out;
    }

    /**
     * The standard normal quantile Phi^-1(p), by Wichura's algorithm AS 241 (PPND16), relative error about
     * 1e-16 over the whole range. Returns -inf at 0, +inf at 1 and NaN outside [0, 1].
     */
    public static double normalQuantile(double p) {
        if (!(p >= 0 && p <= 1)) {
            return Double.NaN;
        }
        if (p == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (p == 1) {
            return Double.POSITIVE_INFINITY;
        }
        double q = p - 0.5;
        if (Math.abs(q) <= 0.425) {
            double r = 0.180625 - q * q;
            return q * (((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r + 6.7265770927008700853e4) * r
                    + 4.5921953931549871457e4) * r + 1.3731693765509461125e4) * r + 1.9715909503065514427e3) * r
                    + 1.3314166789178437745e2) * r + 3.3871328727963666080e0)
                    / (((((((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r + 3.9307895800092710610e4) * r
                    + 2.1213794301586595867e4) * r + 5.3941960214247511077e3) * r + 6.8718700749205790830e2) * r
                    + 4.2313330701600911252e1) * r + 1.0);
        }
        double r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
        double value;
        if (r <= 5.0) {
            r -= 1.6;
            value = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r + 2.41780725177450611770e-1) * r
                    + 1.27045825245236838258e0) * r + 3.64784832476320460504e0) * r + 5.76949722146069140550e0) * r
                    + 4.63033784615654529590e0) * r + 1.42343711074968357734e0)
                    / (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r + 1.51986665636164571966e-2) * r
                    + 1.48103976427480074590e-1) * r + 6.89767334985100004550e-1) * r + 1.67638483018380384940e0) * r
                    + 2.05319162663775882187e0) * r + 1.0);
        } else {
            r -= 5.0;
            value = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3) * r
                    + 2.65321895265761230930e-2) * r + 2.96560571828504891230e-1) * r + 1.78482653991729133580e0) * r
                    + 5.46378491116411436990e0) * r + 6.65790464350110377720e0)
                    / (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5) * r
                    + 7.86869131145613259100e-4) * r + 1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r
                    + 5.99832206555887937690e-1) * r + 1.0);
        }
        return q < 0 ? -value : value;
    }

    private static double[][] check(double[][] chains) {
        if (chains.length < 1) {
            throw new IllegalArgumentException("need at least one chain");
        }
        int n = chains[0].length;
        for (int c = 1; c < chains.length; c++) {
            if (chains[c].length != n) {
                throw new IllegalArgumentException("chains must have equal lengths, chain 0 has " + n + " draws and chain "
                        + c + " has " + chains[c].length);
            }
        }
        if (n < MIN_DRAWS) {
            throw new IllegalArgumentException("each chain needs at least " + MIN_DRAWS + " draws, has " + n);
        }
        return chains;
    }

    /** Each chain cut in two halves; the middle draw of an odd-length chain is dropped, as in posterior. */
    private static double[][] split(double[][] chains) {
        int n = chains[0].length;
        int half = n / 2;
        double[][] out = new double[2 * chains.length][];
        for (int c = 0; c < chains.length; c++) {
            out[2 * c] = Arrays.copyOfRange(chains[c], 0, half);
            out[2 * c + 1] = Arrays.copyOfRange(chains[c], n - half, n);
        }
        return out;
    }

    /** |x - median|, the median taken over all draws of all chains. */
    private static double[][] fold(double[][] chains) {
        int n = chains[0].length;
        double[] pooled = new double[chains.length * n];
        for (int c = 0; c < chains.length; c++) {
            System.arraycopy(chains[c], 0, pooled, c * n, n);
        }
        Arrays.sort(pooled);
        int s = pooled.length;
        double median = s % 2 == 1 ? pooled[s / 2] : 0.5 * (pooled[s / 2 - 1] + pooled[s / 2]);
        double[][] out = new double[chains.length][n];
        for (int c = 0; c < chains.length; c++) {
            for (int i = 0; i < n; i++) {
                out[c][i] = Math.abs(chains[c][i] - median);
            }
        }
        return out;
    }

    /** R-hat of chains taken as given (already split). */
    private static double rhat(double[][] chains) {
        if (!allFinite(chains)) {
            return Double.NaN;
        }
        int m = chains.length;
        int n = chains[0].length;
        double[] means = new double[m];
        double within = 0;
        for (int c = 0; c < m; c++) {
            means[c] = mean(chains[c]);
            within += variance(chains[c], means[c]);
        }
        within /= m;
        double grand = mean(means);
        double between = 0;
        for (double mu : means) {
            between += (mu - grand) * (mu - grand);
        }
        // B is n times the variance of the chain means; with a single (unsplit) chain it is undefined, take 0.
        between = m > 1 ? n * between / (m - 1) : 0;
        if (within <= 0) {
            return Double.NaN;
        }
        double pooledVariance = (n - 1.0) / n * within + between / n;
        return Math.sqrt(pooledVariance / within);
    }

    /**
     * Effective sample size of chains taken as given (already split), with Geyer's initial monotone sequence
     * estimator over autocorrelations pooled across chains, as in posterior's {@code ess_basic}.
     */
    private static double essOfSplit(double[][] chains) {
        if (!allFinite(chains)) {
            return Double.NaN;
        }
        int m = chains.length;
        int n = chains[0].length;
        Autocovariance acov = new Autocovariance(chains);
        double[] means = new double[m];
        for (int c = 0; c < m; c++) {
            means[c] = mean(chains[c]);
        }
        double meanVariance = acov.meanAt(0) * n / (n - 1.0);
        double varPlus = meanVariance * (n - 1.0) / n;
        if (m > 1) {
            varPlus += variance(means, mean(means));
        }
        if (!(varPlus > 0)) {
            return Double.NaN;
        }
        double[] rho = new double[n];
        rho[0] = 1.0;
        double rhoEven = 1.0;
        double rhoOdd = 1.0 - (meanVariance - acov.meanAt(1)) / varPlus;
        rho[1] = rhoOdd;
        // Initial positive sequence: sum autocorrelations in pairs while a pair's sum stays positive; the lags are
        // computed on demand, so a well-mixing chain costs a few passes over the draws, not n.
        int t = 0;
        while (t < n - 5 && !Double.isNaN(rhoEven + rhoOdd) && rhoEven + rhoOdd > 0) {
            t += 2;
            rhoEven = 1.0 - (meanVariance - acov.meanAt(t)) / varPlus;
            rhoOdd = 1.0 - (meanVariance - acov.meanAt(t + 1)) / varPlus;
            if (rhoEven + rhoOdd >= 0) {
                rho[t] = rhoEven;
                rho[t + 1] = rhoOdd;
            }
        }
        int maxT = t;
        // Keeping the last positive even lag reduces the estimator's variance for antithetic chains.
        if (rhoEven > 0) {
            rho[maxT] = rhoEven;
        }
        // Initial monotone sequence: pair sums may not increase.
        t = 0;
        while (t <= maxT - 4) {
            t += 2;
            if (rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]) {
                rho[t] = (rho[t - 2] + rho[t - 1]) / 2;
                rho[t + 1] = rho[t];
            }
        }
        double total = (double) m * n;
        double sum = 0;
        for (int k = 0; k < maxT; k++) {
            sum += rho[k];
        }
        double tau = -1 + 2 * sum + rho[maxT];
        // posterior's safety floor: at most S*log10(S) effective draws, which also keeps tau positive.
        tau = Math.max(tau, 1 / Math.log10(total));
        return total / tau;
    }

    /** Biased (divide by n) autocovariances of each chain, averaged over chains, computed lag by lag on demand. */
    private static final class Autocovariance {
        private final double[][] centred;

        Autocovariance(double[][] chains) {
            centred = new double[chains.length][];
            for (int c = 0; c < chains.length; c++) {
                double mu = mean(chains[c]);
                centred[c] = new double[chains[c].length];
                for (int i = 0; i < chains[c].length; i++) {
                    centred[c][i] = chains[c][i] - mu;
                }
            }
        }

        double meanAt(int lag) {
            double total = 0;
            for (double[] x : centred) {
                int n = x.length;
                double s = 0;
                for (int i = 0; i + lag < n; i++) {
                    s += x[i] * x[i + lag];
                }
                total += s / n;
            }
            return total / centred.length;
        }
    }

    private static boolean allFinite(double[][] chains) {
        for (double[] chain : chains) {
            for (double v : chain) {
                if (!Double.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** Unbiased sample variance about {@code mean}. */
    private static double variance(double[] x, double mean) {
        double s = 0;
        for (double v : x) {
            s += (v - mean) * (v - mean);
        }
        return s / (x.length - 1);
    }
}
