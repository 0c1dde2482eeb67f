package org.genbench.eval.mcmc.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import org.genbench.api.Dataset;
import org.genbench.api.Evaluator;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.tensor.Tensor;
import org.genbench.stats.McmcDiagnostics;
import org.osgi.service.component.annotations.Component;

/**
 * Convergence diagnostics for every multi-chain sample set of a run, whatever sampler drew it: acceptance rate,
 * rank-normalized split R-hat and bulk ESS per dimension (Vehtari et al. 2021), with their worst values. Metrics
 * are named per sampler ({@code hmc/rhat_max}) so several samplers of one run stay apart. Single-chain (independent)
 * sample sets are skipped: R-hat compares chains and needs several.
 *
 * <p>The formulas are those of {@link McmcDiagnostics}, from the stats library, so the numbers a sampler reports
 * about itself and the ones this evaluator reports agree by construction. A full per-dimension table is written to
 * this component's output directory as {@code <sampler>.csv}.
 */
@Component(service = Evaluator.class)
public final class McmcEvaluator implements Evaluator<McmcEvaluator.Config> {
    static final String METHOD_RHAT = "rank-normalized split R-hat, max(bulk, tail), Vehtari et al. 2021";
    static final String METHOD_ESS = "bulk ESS: rank-normalized split chains, Geyer initial monotone sequence";

    /**
     * @param perDimension how many leading dimensions get their own {@code rhat[i]} and {@code ess_bulk[i]} metrics
     *     (0..10000, default 16); the worst values and the CSV table always cover every dimension
     * @param rhatThreshold R-hat above which a dimension counts as not converged (&gt; 1, default 1.01)
     */
    public record Config(Integer perDimension, Double rhatThreshold) {
        public Config {
            perDimension = perDimension == null ? 16 : perDimension;
            if (perDimension < 0 || perDimension > 10_000) {
                throw new IllegalArgumentException("perDimension must be in 0..10000, was " + perDimension);
            }
            rhatThreshold = rhatThreshold == null ? 1.01 : rhatThreshold;
            if (!(rhatThreshold > 1 && rhatThreshold < 10)) {
                throw new IllegalArgumentException("rhatThreshold must be in (1, 10), was " + rhatThreshold);
            }
        }
    }

    public McmcEvaluator() {
    }

    @Override
    public String name() {
        return "mcmc";
    }

    @Override
    public String description() {
        return "MCMC diagnostics of multi-chain samples: acceptance, bulk ESS, rank-normalized split R-hat";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        // Diagnoses the samples, not the model: any model any multi-chain sampler can draw from.
        return Requirement.none();
    }

    @Override
    public List<Metric> evaluate(Model model, Dataset data, Map<String, SampleResult> samples, Config config,
            RunContext context) {
        List<Metric> metrics = new ArrayList<>();
        int done = 0;
        for (Map.Entry<String, SampleResult> e : samples.entrySet()) {
            if (context.isCancelled()) {
                throw new CancellationException("MCMC diagnostics cancelled before sampler '" + e.getKey() + "'");
            }
            SampleResult result = e.getValue();
            if (result.chains() > 1) {
                metrics.addAll(diagnose(e.getKey(), result, config, context));
            }
            context.progress(++done, samples.size());
        }
        return metrics;
    }

    private List<Metric> diagnose(String sampler, SampleResult result, Config config, RunContext context) {
        Tensor x = result.samples();
        int chains = result.chains();
        long draws = x.rows() / chains;
        long dims = x.rowSize();
        if (draws < McmcDiagnostics.MIN_DRAWS) {
            throw new IllegalArgumentException("sampler '" + sampler + "' drew " + draws + " draws per chain; R-hat and"
                    + " ESS need at least " + McmcDiagnostics.MIN_DRAWS);
        }
        if (draws * chains > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("sampler '" + sampler + "' drew too many draws to diagnose: " + x.rows());
        }
        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("sampler", sampler);
        protocol.put("chains", chains);
        protocol.put("draws_per_chain", draws);
        protocol.put("dimensions", dims);

        double[] rhat = new double[(int) dims];
        double[] ess = new double[(int) dims];
        double[][] perChain = new double[chains][(int) draws];
        for (int d = 0; d < dims; d++) {
            for (int c = 0; c < chains; c++) {
                for (int i = 0; i < draws; i++) {
                    perChain[c][i] = x.getDouble(((long) c * draws + i) * dims + d);
                }
            }
            rhat[d] = McmcDiagnostics.rankNormalizedSplitRhat(perChain);
            ess[d] = McmcDiagnostics.essBulk(perChain);
        }

        List<Metric> out = new ArrayList<>();
        Acceptance acceptance = acceptance(result, x, chains, draws, dims);
        Map<String, Object> accProtocol = new LinkedHashMap<>(protocol);
        accProtocol.put("source", acceptance.source());
        out.add(new Metric(sampler + "/acceptance_rate", acceptance.rate(), "mcmc", accProtocol));

        Map<String, Object> rhatProtocol = new LinkedHashMap<>(protocol);
        rhatProtocol.put("method", METHOD_RHAT);
        Map<String, Object> essProtocol = new LinkedHashMap<>(protocol);
        essProtocol.put("method", METHOD_ESS);
        // Math.max/min propagate NaN: one undiagnosable dimension (a stuck or non-finite chain) shows in the summary.
        double rhatMax = Double.NEGATIVE_INFINITY;
        double essMin = Double.POSITIVE_INFINITY;
        int above = 0;
        for (int d = 0; d < dims; d++) {
            rhatMax = Math.max(rhatMax, rhat[d]);
            essMin = Math.min(essMin, ess[d]);
            above += !(rhat[d] <= config.rhatThreshold()) ? 1 : 0;
        }
        out.add(new Metric(sampler + "/rhat_max", rhatMax, "mcmc", rhatProtocol));
        out.add(new Metric(sampler + "/ess_bulk_min", essMin, "mcmc", essProtocol));
        Map<String, Object> thresholdProtocol = new LinkedHashMap<>(rhatProtocol);
        thresholdProtocol.put("rhat_threshold", config.rhatThreshold());
        out.add(new Metric(sampler + "/rhat_above_threshold", above, "mcmc", thresholdProtocol));
        for (int d = 0; d < Math.min(dims, config.perDimension()); d++) {
            out.add(new Metric(sampler + "/rhat[" + d + "]", rhat[d], "mcmc", rhatProtocol));
            out.add(new Metric(sampler + "/ess_bulk[" + d + "]", ess[d], "mcmc", essProtocol));
        }
        writeTable(sampler, rhat, ess, context);
        return out;
    }

    private record Acceptance(double rate, String source) {
    }

    /**
     * The sampler's own count when it reports one (it saw every proposal, including thinned-away ones); otherwise
     * the share of stored steps that moved, which equals the acceptance rate of an unthinned Metropolis-type chain
     * (a rejection repeats the state exactly) and is the chance of at least one acceptance per stored step if the
     * chain was thinned.
     */
    private static Acceptance acceptance(SampleResult result, Tensor x, int chains, long draws, long dims) {
        Optional<Metric> own = result.diagnostics().stream().filter(m -> m.name().equals("acceptance_rate")).findFirst();
        if (own.isPresent()) {
            return new Acceptance(own.get().value(), "sampler diagnostics");
        }
        long moved = 0;
        for (int c = 0; c < chains; c++) {
            for (long i = 1; i < draws; i++) {
                long prev = ((long) c * draws + i - 1) * dims;
                long cur = prev + dims;
                boolean same = true;
                for (long d = 0; d < dims && same; d++) {
                    same = x.getDouble(prev + d) == x.getDouble(cur + d);
                }
                moved += same ? 0 : 1;
            }
        }
        return new Acceptance((double) moved / (chains * (draws - 1)),
                "estimated from draws: share of consecutive stored draws that differ");
    }

    private static void writeTable(String sampler, double[] rhat, double[] ess, RunContext context) {
        StringBuilder csv = new StringBuilder("dimension,rhat,ess_bulk\n");
        for (int d = 0; d < rhat.length; d++) {
            csv.append(d).append(',').append(String.format(Locale.ROOT, "%.17g,%.17g", rhat[d], ess[d])).append('\n');
        }
        try {
            Path dir = context.outputDirectory();
            String file = sampler.replaceAll("[^A-Za-z0-9._-]", "_") + ".csv";
            Path tmp = dir.resolve(file + ".tmp");
            Files.writeString(tmp, csv, StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the diagnostics table of sampler '" + sampler + "'", e);
        }
    }
}
