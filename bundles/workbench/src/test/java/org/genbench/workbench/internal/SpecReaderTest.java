package org.genbench.workbench.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.genbench.api.spec.ExperimentSpec;
import org.genbench.workbench.SpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpecReaderTest {
    static final String GOOD = """
            {"name": "ok", "seed": 1,
             "dataset": {"type": "toy", "config": {"train": 200}},
             "model": {"type": "gmm"},
             "trainer": {"type": "em"},
             "samplers": [{"type": "ancestral"}, {"type": "hmc", "config": {"stepSize": 0.1}}],
             "evaluators": [{"type": "loglik"}]}""";

    @Test
    void aGoodSpecKeepsJsonTypes() throws Exception {
        ExperimentSpec s = SpecReader.parse(GOOD);
        assertEquals(200, s.dataset().config().get("train"));
        assertEquals(0.1, s.samplers().get(1).config().get("stepSize"));
        assertEquals("hmc", s.samplers().get(1).id());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "path escape in id     | {`type`: `hmc`, `config`    | {`type`: `hmc`, `id`: `../../../tmp/x`, `config` | samplers[1] (hmc).id must be 1 to 64 characters",
        "dot-dot name          | `name`: `ok`               | `name`: `..`                                  | name must be 1 to 64 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit, was '..'",
        "slash in type         | `type`: `gmm`              | `type`: `a/b`                                 | model.type must be 1 to 64 characters",
        "duplicate seed        | `seed`: 1,                 | `seed`: 1, `seed`: 2,                         | field 'seed' appears twice at line 1",
        "duplicate nested key  | {`train`: 200}             | {`train`: 200, `train`: 300}                  | field 'dataset.config.train' appears twice",
        "seed as string        | `seed`: 1                  | `seed`: `42`                                  | seed: expected an integer, got \"42\" (a string)",
        "seed fraction         | `seed`: 1                  | `seed`: 1.5                                   | seed: expected an integer, got 1.5 (a number)",
        "seed too large        | `seed`: 1                  | `seed`: 99999999999999999999                  | seed: must be an integer from",
        "null sampler          | [{`type`: `ancestral`},    | [null,                                        | samplers[0]: expected an object with a 'type', got null",
        "missing type          | {`type`: `ancestral`}      | {`id`: `a`}                                   | samplers[0].type is missing",
        "unknown top field     | `seed`: 1,                 | `seed`: 1, `sed`: 2,                          | unknown field 'sed' (known fields: dataset, evaluators, model, name, samplers, seed, trainer)",
        "config not object     | `config`: {`stepSize`: 0.1} | `config`: [1]                                | samplers[1] (hmc).config: expected an object of settings, got a list",
        "infinite number       | 0.1}                       | 1e999}                                        | samplers[1] (hmc).config.stepSize: 1E+999 is beyond the range",
        "NaN token             | 0.1}                       | NaN}                                          | not valid JSON at line",
        "trailing garbage      | `loglik`}]}                | `loglik`}]} x                                 | not valid JSON",
        "non-ascii id          | {`type`: `hmc`, `config`    | {`type`: `hmc`, `id`: `h\u00e9`, `config`       | samplers[1] (hmc).id must be",
        "samplers not list     | `evaluators`: [{`type`: `loglik`}] | `evaluators`: {`type`: `loglik`}  | evaluators: expected a list of components, got an object",
    })
    void badSpecsAreRefusedNamingTheField(String label, String from, String to, String expected) {
        String json = GOOD.replace(from.replace('`', '"').trim(), to.replace('`', '"').trim());
        assertFalse(json.equals(GOOD), "the mutation applies: " + label);
        SpecException e = assertThrows(SpecException.class, () -> SpecReader.parse(json));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertNoInternals(e.getMessage());
    }

    @Test
    void syntaxErrorsSayWhereWithoutTheParsersWords() {
        for (String json : new String[] {"{\"name\": \"x\"", "{name: 1}", "{\"a\": 'x'}", "[".repeat(40) + "]".repeat(40), ""}) {
            SpecException e = assertThrows(SpecException.class, () -> SpecReader.parse(json));
            assertNoInternals(e.getMessage());
        }
        SpecException deep = assertThrows(SpecException.class, () -> SpecReader.parse("[".repeat(40) + "]".repeat(40)));
        assertTrue(deep.getMessage().contains("nested deeper than 32 levels"), deep.getMessage());
    }

    @Test
    void aTrainerMayBeAbsentOrNull() throws Exception {
        assertNull(SpecReader.parse(GOOD.replace("\"trainer\": {\"type\": \"em\"},", "")).trainer());
        assertNull(SpecReader.parse(GOOD.replace("{\"type\": \"em\"}", "null")).trainer());
    }

    @Test
    void idsAreUniqueAcrossTheSpec() {
        SpecException e = assertThrows(SpecException.class, () -> SpecReader.parse(GOOD.replace("{\"type\": \"ancestral\"}",
                "{\"type\": \"ancestral\", \"id\": \"hmc\"}")));
        assertEquals("samplers[1].id 'hmc' is also the id of samplers[0]; give each an 'id' of its own", e.getMessage());
    }

    @Test
    void filesThatAreNotSpecsAreRefused(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.json");
        Files.writeString(big, "{\"name\": \"" + "x".repeat(SpecReader.MAX_BYTES) + "\"}");
        assertTrue(assertThrows(SpecException.class, () -> SpecReader.read(big)).getMessage().contains("larger than 1024 KiB"));
        Path binary = Files.write(dir.resolve("bin.json"), new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'});
        assertTrue(assertThrows(SpecException.class, () -> SpecReader.read(binary)).getMessage().endsWith("not UTF-8 text"));
        assertTrue(assertThrows(SpecException.class, () -> SpecReader.read(dir)).getMessage().endsWith("not a regular file"));
    }

    static void assertNoInternals(String message) {
        for (String internal : new String[] {"Source: REDACTED", "JsonToken", "LinkedHashMap", "line -1", "`", "Exception",
                "\tat ", "com.fasterxml", "(code "}) {
            assertFalse(message.contains(internal), "'" + internal + "' in: " + message);
        }
    }
}
