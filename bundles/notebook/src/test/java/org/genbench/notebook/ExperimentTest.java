package org.genbench.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExperimentTest {
    @Test
    void fluentCallsBuildTheSpecFileTheCliReads() throws Exception {
        Experiment e = Experiment.named("q").seed(42)
                .dataset("toy", Map.of("shape", "eight-gaussians"))
                .model("gmm", Map.of("components", 8))
                .trainer("em")
                .sampler("ancestral", Map.of("samples", 10))
                .samplerAs("mala-small", "mala", Map.of("stepSize", 0.1))
                .evaluator("loglik");
        JsonNode n = Experiment.JSON.readTree(e.json());
        assertEquals("q", n.path("name").asText());
        assertEquals(42, n.path("seed").asLong());
        assertEquals("eight-gaussians", n.path("dataset").path("config").path("shape").asText());
        assertEquals(8, n.path("model").path("config").path("components").asInt());
        assertEquals("em", n.path("trainer").path("type").asText());
        assertEquals("mala-small", n.path("samplers").get(1).path("id").asText());
        assertEquals("loglik", n.path("evaluators").get(0).path("type").asText());
    }

    @Test
    void eachCallReturnsANewExperimentSoABaseFansOut() {
        Experiment base = Experiment.named("base").seed(1).dataset("toy").trainer("em");
        Experiment a = base.model("gmm");
        Experiment b = base.rename("other").model("gaussian").seed(2);
        assertNull(base.model());
        assertEquals("gmm", a.model().type());
        assertEquals("gaussian", b.model().type());
        assertEquals(1L, a.seed());
        assertEquals(2L, b.seed());
        assertEquals("base", a.name());
    }

    @Test
    void theQuickstartSpecRoundTrips() throws Exception {
        Path spec = Path.of("../../workspace/experiments/quickstart.json");
        Experiment e = Experiment.read(spec);
        assertEquals(Experiment.JSON.readTree(spec.toFile()), Experiment.JSON.readTree(e.json()));
        assertEquals(3, e.samplers().size());
    }

    @Test
    void aNameThatCannotBeADirectoryIsRefused() {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Experiment.named("a b"));
        assertEquals("an experiment name must match [A-Za-z0-9._-]+, was 'a b'", ex.getMessage());
    }
}
