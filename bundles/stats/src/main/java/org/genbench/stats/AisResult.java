package org.genbench.stats;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of one AIS run. {@code logZ} is log of the mean importance weight (times the base's partition
 * function): the mean is an unbiased estimate of Z, so its log is a stochastic lower bound on log Z (Jensen).
 * {@code logZSe} is the delta-method standard error from the weights' spread, {@code sd(w) / (sqrt(M) mean(w))}; it
 * sees neither a bias from too few intermediate distributions nor weights too rare to have been drawn.
 * {@code weightEss} is the weights' effective sample size (sum w)^2 / sum w^2, {@code acceptance} the kernel's
 * acceptance rate (1 for Gibbs transitions, which always move). {@code logWeights} are the chains' final log weights
 * (including log Z of the base).
 */
public record AisResult(double logZ, double logZSe, double weightEss, double acceptance, String base, String kernel,
                        AisSettings settings, double[] logWeights) {
    public AisResult {
        logWeights = logWeights.clone();
    }

    @Override
    public double[] logWeights() {
        return logWeights.clone();
    }

    /** log Z, its standard error and the weights' ESS from final log weights (the base's log Z included). */
    static double[] summarize(double[] logWeights) {
        int k = logWeights.length;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logWeights) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double sumSq = 0;
        for (double v : logWeights) {
            double r = Math.exp(v - max);
            sum += r;
            sumSq += r * r;
        }
        double mean = sum / k;
        double var = (sumSq / k - mean * mean) * k / (k - 1.0);
        return new double[] {max + Math.log(mean), Math.sqrt(Math.max(var, 0) / k) / mean, sum * sum / sumSq};
    }

    /** What makes the estimate comparable, for a metric's protocol. */
    public Map<String, Object> protocol() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("ais_intermediate_distributions", settings.distributions());
        p.put("ais_chains", settings.chains());
        p.put("ais_schedule", settings.schedule());
        p.put("ais_base", base);
        p.put("ais_kernel", kernel);
        p.put("ais_log_z", logZ);
        p.put("ais_log_z_se", logZSe);
        p.put("ais_weight_ess", weightEss);
        p.put("ais_acceptance", acceptance);
        p.put("ais_note", "log Z from the mean importance weight: unbiased for Z, so a lower bound on log Z in"
                + " expectation; the standard error is the weights' spread only: it cannot show mass in modes the chains"
                + " never reached, which makes log Z too low and the log-likelihood too high");
        return p;
    }
}
