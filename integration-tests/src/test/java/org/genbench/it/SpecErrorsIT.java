package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** Bad specs fail before anything runs, with a message that names the culprit, and leave no run directory. */
class SpecErrorsIT {
    static final String GOOD = """
            {"name": "bad", "seed": 1,
             "dataset": {"type": "toy", "config": {"train": 200, "test": 100}},
             "model": {"type": "gmm", "config": {"components": 2}},
             "trainer": {"type": "em", "config": {"maxIterations": 3}},
             "samplers": [{"type": "ancestral"}],
             "evaluators": [{"type": "loglik"}]}""";

    @TempDir
    static Path workspace;
    static TestHost host;

    @BeforeAll
    static void boot() throws Exception {
        host = new TestHost(workspace);
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown component  | \"type\": \"gmm\"                  | \"type\": \"gmmm\"                     | unknown model 'gmmm'; installed models: bernoulli-mixture, dbn, gmm, rbm",
            "unknown sampler    | \"type\": \"ancestral\"            | \"type\": \"nuts\"                     | unknown sampler 'nuts'; installed samplers: ancestral, gibbs, hmc, langevin, mala, mh",
            "missing field      | \"seed\": 1,                       | ''                                   | seed is missing",
            "wrong type         | \"components\": 2                  | \"components\": \"two\"                 | model (gmm).config.components: expected an integer, got \"two\" (a string)",
            "wrong type in spec | \"seed\": 1                        | \"seed\": \"one\"                      | seed: expected an integer, got \"one\" (a string)",
            "bad value          | \"components\": 2                  | \"components\": 0                      | model (gmm).config.components: must be >= 1, was 0",
            "unknown field      | \"maxIterations\": 3               | \"maxIteration\": 3                    | trainer (em).config: unknown field 'maxIteration'",
            "not JSON           | \"name\": \"bad\",                  | \"name\": \"bad\"                       | not valid JSON at line 1, column 16",
            "path in an id      | {\"type\": \"ancestral\"}            | {\"type\": \"ancestral\", \"id\": \"../x\"} | samplers[0] (ancestral).id must be 1 to 64 characters",
            "more than the data | \"components\": 2                  | \"components\": 201                    | model (gmm).config.components: must be <= the 200 training examples, was 201",
            "a split it lacks   | {\"type\": \"loglik\"}               | {\"type\": \"loglik\", \"config\": {\"split\": \"valid\"}} | evaluators[0] (loglik).config.split: must be one of [test, train], was 'valid'",
            "no trainer         | \"trainer\": {\"type\": \"em\", \"config\": {\"maxIterations\": 3}}, | '' | trainer is missing: model 'gmm' must be fitted before it can be used; installed trainers that fit it: em"
    })
    void badSpecIsRefusedByName(String label, String from, String to, String expected) throws Exception {
        Path spec = host.spec("bad-" + label.replace(' ', '-'), GOOD.replace(from, to));
        TestHost.Result r = host.exec("run", spec.toString());
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in:\n" + r.err());
        try (var runs = Files.list(workspace.resolve("runs"))) {
            assertEquals(0, runs.count(), "no run directory for a refused spec");
        }
    }
}
