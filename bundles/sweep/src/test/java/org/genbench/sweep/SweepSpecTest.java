package org.genbench.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweepSpecTest {
    static final String BASE = """
            "name": "k", "seed": 7,
            "dataset": {"type": "toy", "config": {"shape": "two-moons"}},
            "model": {"type": "gmm", "config": {"components": 8}},
            "trainer": {"type": "em"},
            "samplers": [{"type": "ancestral"}, {"type": "hmc", "config": {"stepSize": 0.1}}],
            "evaluators": [{"type": "loglik"}]""";
    static final ObjectMapper JSON = new ObjectMapper();

    static SweepSpec spec(String sweep) {
        return SweepSpec.parse("{" + BASE + (sweep == null ? "" : ", \"sweep\": " + sweep) + "}");
    }

    static String error(String sweep) {
        return assertThrows(IllegalArgumentException.class, () -> spec(sweep)).getMessage();
    }

    @Test
    void aGridTimesSeedsExpandsSettingMajorWithTheValuesInPlace() throws Exception {
        SweepSpec s = spec("{\"seeds\": [1, 2, 3], \"grid\": {\"model.config.components\": [2, 4, 8],"
                + " \"samplers[1].config.stepSize\": [0.05, 0.2]}}");
        List<SweepPoint> points = s.points();
        assertEquals(3 * 2 * 3, points.size());
        assertEquals(List.of("model.config.components", "samplers[1].config.stepSize"), s.varied());
        // settings in grid order (first axis slowest), seeds inner
        assertEquals(List.of(1L, 2L, 3L), points.subList(0, 3).stream().map(SweepPoint::seed).toList());
        assertEquals("components-2_stepSize-0.05", points.get(0).label());
        assertEquals("components-2_stepSize-0.2", points.get(3).label());
        assertEquals("components-8_stepSize-0.2", points.get(17).label());
        JsonNode p = JSON.readTree(points.get(17).spec());
        assertEquals(8, p.path("model").path("config").path("components").asInt());
        assertEquals(0.2, p.path("samplers").get(1).path("config").path("stepSize").asDouble());
        assertEquals(3, p.path("seed").asLong());
        assertEquals("k.components-8_stepSize-0.2", p.path("name").asText());
        assertEquals("two-moons", p.path("dataset").path("config").path("shape").asText(), "the rest is the base spec");
        // the runs of one setting share their name and differ only by the seed, so compare averages them
        assertEquals(points.get(0).runName(), points.get(2).runName());
        assertNotEquals(points.get(0).runName(), points.get(3).runName());
    }

    @Test
    void aListGivesWholeSettingsCombinedWithTheGrid() throws Exception {
        SweepSpec s = spec("{\"seeds\": 2, \"grid\": {\"model.config.components\": [2, 4]},"
                + " \"list\": [{\"model.type\": \"gmm\"}, {\"model.type\": \"gaussian\", \"trainer.config\": {\"maxIterations\": 1}}]}");
        List<SweepPoint> points = s.points();
        assertEquals(2 * 2 * 2, points.size());
        assertEquals(List.of(1L, 2L), s.seeds(), "a count n means seeds 1..n");
        JsonNode last = JSON.readTree(points.get(7).spec());
        assertEquals("gaussian", last.path("model").path("type").asText());
        assertEquals(4, last.path("model").path("config").path("components").asInt());
        assertEquals(1, last.path("trainer").path("config").path("maxIterations").asInt(), "objects on the way are created");
        assertEquals("components-4_model-gaussian_trainer-" + points.get(7).label().split("trainer-")[1], points.get(7).label());
    }

    @Test
    void withoutASweepSectionTheSpecIsOnePointOfItsOwnSeed() throws Exception {
        List<SweepPoint> points = spec(null).points();
        assertEquals(1, points.size());
        assertEquals(7, points.get(0).seed());
        assertEquals("k", points.get(0).runName());
        assertEquals("k", JSON.readTree(points.get(0).spec()).path("name").asText());
    }

    @Test
    void aPointsKeyIsItsSpecSoEditingOneValueChangesOnlyThosePoints() {
        List<SweepPoint> a = spec("{\"seeds\": [1, 2], \"grid\": {\"model.config.components\": [2, 4]}}").points();
        List<SweepPoint> b = spec("{\"seeds\": [1, 2], \"grid\": {\"model.config.components\": [2, 6]}}").points();
        List<SweepPoint> again = SweepSpec.parse("{\"sweep\": {\"grid\": {\"model.config.components\": [2, 4]}, \"seeds\": [1, 2]},"
                + BASE.replace("\"seed\": 7,", "\"seed\": 7 ,") + "}").points();
        assertEquals(a.stream().map(SweepPoint::key).toList(), again.stream().map(SweepPoint::key).toList(),
                "field order and spacing do not change the keys");
        assertEquals(a.get(0).key(), b.get(0).key());
        assertEquals(a.get(1).key(), b.get(1).key());
        assertNotEquals(a.get(2).key(), b.get(2).key());
        assertEquals(4, a.stream().map(SweepPoint::key).distinct().count());
        assertTrue(a.get(0).key().matches("[0-9a-f]{16}"), a.get(0).key());
    }

    @Test
    void badSweepsAreRefusedNamingTheField() {
        assertTrue(error("{\"seedz\": [1]}").startsWith("sweep.seedz is not a sweep setting"), error("{\"seedz\": [1]}"));
        assertTrue(error("{\"seeds\": []}").startsWith("sweep.seeds must be a non-empty list"));
        assertTrue(error("{\"seeds\": [1, 1]}").contains("lists 1 twice"));
        assertTrue(error("{\"seeds\": [1, 2.5]}").startsWith("sweep.seeds[1] must be a whole number"));
        assertTrue(error("{\"grid\": {\"model.config.components\": 4}}")
                .startsWith("sweep.grid.'model.config.components' must be a non-empty list"));
        assertTrue(error("{\"grid\": {\"seed\": [1, 2]}}").contains("seeds go in sweep.seeds"));
        assertTrue(error("{\"grid\": {\"samplers[5].config.stepSize\": [1]}}").contains("has 2 entries, no [5]"));
        assertTrue(error("{\"grid\": {\"model.type.x\": [1]}}").contains("not an object or list"));
        assertTrue(error("{\"grid\": {\"model..x\": [1]}}").contains("not a setting path"));
        assertTrue(error("{\"grid\": {\"model.config.components\": [2]}, \"list\": [{\"model.config.components\": 3}]}")
                .contains("sweep.list[0] sets 'model.config.components', which sweep.grid varies"));
        assertTrue(error("{\"parallel\": 0}").startsWith("sweep.parallel must be a whole number from 1"));
        assertTrue(error("{\"grid\": {\"model.config.a\": [1,2,3,4,5,6,7,8,9,10], \"model.config.b\": [1,2,3,4,5,6,7,8,9,10],"
                + " \"model.config.c\": [1,2,3,4,5,6,7,8,9,10], \"model.config.d\": [1,2,3,4,5,6,7,8,9,10],"
                + " \"model.config.e\": [1,2,3,4,5,6,7,8,9,10,11]}}").contains("more than 100000 runs"));
        String name = assertThrows(IllegalArgumentException.class,
                () -> SweepSpec.parse("{\"name\": \"../x\", \"seed\": 1}")).getMessage();
        assertTrue(name.startsWith("name must be 1 to 64 characters"), name);
    }

    @Test
    void labelsThatWouldMakeNamesTooLongFallBackToTheSettingsNumber() {
        String longValue = "x".repeat(70);
        List<SweepPoint> points = spec("{\"grid\": {\"dataset.config.path\": [\"" + longValue + "\", \"b\"]}}").points();
        assertEquals("k.1", points.get(0).runName());
        assertEquals("k.2", points.get(1).runName());
    }
}
