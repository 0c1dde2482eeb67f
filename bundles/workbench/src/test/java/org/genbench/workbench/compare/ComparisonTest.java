package org.genbench.workbench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparisonTest {
    @TempDir
    Path runs;

    private Path run(String id, String name, long seed, int components, String metricsJson) throws IOException {
        Path dir = Files.createDirectories(runs.resolve(id));
        Files.writeString(dir.resolve("spec.json"), String.format(Locale.ROOT, """
                {"name": "%s", "seed": %d, "dataset": {"type": "toy", "config": {"train": 100}},
                 "model": {"type": "gmm", "config": {"components": %d}}, "samplers": [], "evaluators": []}
                """, name, seed, components));
        Files.writeString(dir.resolve("metrics.json"), "{\"id\": \"" + id + "\", \"metrics\": [" + metricsJson + "]}");
        return dir;
    }

    private static String metric(String component, String name, double value, String kind) {
        return String.format(Locale.ROOT, "{\"role\": \"evaluator\", \"component\": \"%s\", \"name\": \"%s\", \"value\": %s,"
                + " \"kind\": \"%s\", \"protocol\": {}}", component, name, Double.toString(value), kind);
    }

    @Test
    void seedRepeatsGetMeanAndSampleStandardDeviation() throws IOException {
        Path a = run("a", "quick", 1, 8, metric("loglik", "test_loglik", -2.5, "exact") + ","
                + metric("hmc", "acceptance_rate", 0.8, "mcmc"));
        Path b = run("b", "quick", 2, 8, metric("loglik", "test_loglik", -2.7, "exact") + ","
                + metric("hmc", "acceptance_rate", 0.9, "mcmc"));
        Path c = run("c", "quick", 3, 8, metric("loglik", "test_loglik", -2.9, "exact"));
        Comparison cmp = Comparison.read(List.of(a, b, c));
        assertEquals(1, cmp.groups().size());
        List<String[]> rows = cmp.rows();
        assertEquals(List.of("metric", "kind", "#1 seed 1", "#2 seed 2", "#3 seed 3",
                "quick [#1,#2,#3] mean ± sd (n=3)"), List.of(rows.get(0)));
        // mean -2.7, sd sqrt(((0.2)^2 + 0 + (0.2)^2) / 2) = 0.2
        assertEquals(List.of("loglik/test_loglik", "exact", "-2.5000", "-2.7000", "-2.9000", "-2.7000 ± 0.2000"),
                List.of(rows.get(1)));
        // reported by two of three runs: mean 0.85, sd sqrt(2 * 0.05^2 / 1) = 0.0707; the count says so
        assertEquals(List.of("hmc/acceptance_rate", "mcmc", "0.8000", "0.9000", "-", "0.8500 ± 0.0707 (n=2)"),
                List.of(rows.get(2)));
    }

    @Test
    void runsOfDifferentSpecsAreNotAveragedTogether() throws IOException {
        Path a = run("a", "k8", 1, 8, metric("loglik", "test_loglik", -2.5, "exact"));
        Path b = run("b", "k4", 1, 4, metric("loglik", "test_loglik", -3.0, "exact"));
        Path c = run("c", "k8", 2, 8, metric("loglik", "test_loglik", -2.6, "exact"));
        Path d = run("d", "k4", 5, 4, metric("loglik", "test_loglik", -3.2, "exact"));
        Comparison cmp = Comparison.read(List.of(a, b, c, d));
        assertEquals(2, cmp.groups().size());
        String[] header = cmp.rows().get(0);
        assertEquals("k8 [#1,#3] mean ± sd (n=2)", header[6]);
        assertEquals("k4 [#2,#4] mean ± sd (n=2)", header[7]);
        String[] row = cmp.rows().get(1);
        assertEquals("-2.5500 ± 0.0707", row[6]);
        assertEquals("-3.1000 ± 0.1414", row[7]);

        Comparison different = Comparison.read(List.of(a, b));
        assertTrue(different.groups().isEmpty());
        assertEquals(4, different.rows().get(0).length, "metric, kind and one column per run, no mean");
        assertTrue(different.legend().contains("no two runs share a spec but for the seed: no means"));
    }

    @Test
    void nonFiniteValuesStayNonFinite() throws IOException {
        Path a = run("a", "q", 1, 8, "{\"component\": \"mcmc\", \"name\": \"mala/rhat_max\", \"value\": \"NaN\", \"kind\": \"mcmc\"}");
        Path b = run("b", "q", 2, 8, metric("mcmc", "mala/rhat_max", 1.5, "mcmc"));
        String[] row = Comparison.read(List.of(a, b)).rows().get(1);
        assertEquals("NaN", row[2]);
        assertEquals("NaN ± NaN", row[4]);
    }

    @Test
    void nonFiniteValuesWrittenAsNullWithTheirNameAreRead() throws IOException {
        Path a = run("a", "q", 1, 8, "{\"component\": \"mcmc\", \"name\": \"r\", \"value\": null, \"nonFinite\": \"Infinity\", \"kind\": \"mcmc\"}");
        Path b = run("b", "q", 2, 8, "{\"component\": \"mcmc\", \"name\": \"r\", \"value\": null, \"nonFinite\": \"-Infinity\", \"kind\": \"mcmc\"}");
        Comparison cmp = Comparison.read(List.of(a, b));
        assertEquals(Double.POSITIVE_INFINITY, cmp.runs().get(0).metrics().get("mcmc/r").value());
        assertEquals(Double.NEGATIVE_INFINITY, cmp.runs().get(1).metrics().get("mcmc/r").value());
    }

    @Test
    void statsAreTheGroupsMeanAndSampleSd() throws IOException {
        Path a = run("a", "q", 1, 8, metric("loglik", "test_loglik", 1.0, "exact"));
        Path b = run("b", "q", 2, 8, metric("loglik", "test_loglik", 2.0, "exact"));
        Path c = run("c", "q", 3, 8, metric("loglik", "test_loglik", 4.0, "exact"));
        Comparison cmp = Comparison.read(List.of(a, b, c));
        Comparison.Stats s = cmp.stats(cmp.groups().get(0), "loglik/test_loglik").orElseThrow();
        // numpy: np.mean([1,2,4]) = 2.3333333333333335, np.std([1,2,4], ddof=1) = 1.5275252316519465
        assertEquals(2.3333333333333335, s.mean(), 1e-15);
        assertEquals(1.5275252316519465, s.sd(), 1e-15);
        assertEquals(3, s.n());
        assertEquals("q", cmp.groups().get(0).name());
        assertEquals(List.of("loglik/test_loglik"), cmp.metricNames());
    }

    @Test
    void aDirectoryWithoutMetricsIsNamed() throws IOException {
        Path a = run("a", "q", 1, 8, "");
        Files.delete(a.resolve("metrics.json"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Comparison.read(List.of(a)));
        assertTrue(e.getMessage().contains("metrics.json"), e.getMessage());
    }

    @Test
    void theTablePrintsAlignedWithALegend() throws IOException {
        Path a = run("20260101-000000-q", "q", 1, 8, metric("loglik", "test_loglik", -2.5, "exact"));
        Path b = run("20260101-000001-q", "q", 2, 8, metric("loglik", "test_loglik", -2.7, "exact"));
        Comparison cmp = Comparison.read(List.of(a, b));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            Comparison.table(cmp.rows(), out);
            cmp.legend().forEach(out::println);
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.get(0).startsWith("metric"), lines.toString());
        assertTrue(lines.get(1).startsWith("------"), lines.toString());
        assertTrue(lines.get(2).endsWith("-2.6000 ± 0.1414"), lines.toString());
        assertTrue(lines.contains("#1 = 20260101-000000-q"), lines.toString());
    }
}
