package org.genbench.web.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class FieldsTest {
    private final JsonNode spec;

    FieldsTest() throws Exception {
        spec = new ObjectMapper().readTree("""
                {"name": "x", "seed": 1, "dataset": {"type": "toy"}, "model": {"type": "gmm"},
                 "samplers": [{"type": "ancestral"}, {"type": "hmc", "id": "hmc-long"}, {"type": "mala"}],
                 "evaluators": [{"type": "loglik"}, {"type": "mcmc"}]}""");
    }

    @Test
    void messagesThatStartWithThePlaceGoThere() {
        assertEquals("samplers[1]", Fields.of("samplers[1] (hmc).config.stepSize: must be > 0, was -1", spec));
        assertEquals("dataset", Fields.of("dataset (csv): unknown dataset 'csv'; installed datasets: toy", spec));
        assertEquals("evaluators[0]", Fields.of("evaluators[0] (loglik).config.split: must be train or test", spec));
        assertEquals("trainer", Fields.of("trainer is missing: model 'gmm' must be fitted before it can be used", spec));
        assertEquals("seed", Fields.of("seed must be a whole number, was \"x\" (a string)", spec));
    }

    @Test
    void messagesThatNameARoleAndAnIdAreFoundInTheSpec() {
        assertEquals("model", Fields.of("model 'gmm' config: components must be >= 1, was 0", spec));
        assertEquals("samplers[1]", Fields.of("sampler 'hmc-long' needs Energy, but model 'gaussian' provides only"
                + " DirectSampling; installed models with Energy: gmm", spec));
        assertEquals("samplers[2]", Fields.of("unknown sampler 'mala'; installed samplers: ancestral", spec));
        assertEquals("evaluators[1]", Fields.of("evaluator 'mcmc' needs multi-chain samples", spec));
        assertEquals("samplers", Fields.of("sampler 'nowhere' config: bad", spec));
    }

    @Test
    void aPathQuotedInsideTheMessageCountsAndAnythingElseIsTheWholeSpec() {
        assertEquals("samplers[0]", Fields.of("invalid spec: wrong type at 'samplers[0].config.draws'", spec));
        assertEquals("spec", Fields.of("not valid JSON at line 3, column 2: Unexpected end of input", spec));
        assertEquals("spec", Fields.of("together the settings need at least 40 GB", null));
    }
}
