package org.genbench.workbench.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.Energy;
import org.genbench.api.LogDensity;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Requirement;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.Sampler;
import org.genbench.api.spec.ComponentSpec;
import org.genbench.api.spec.ExperimentSpec;
import org.genbench.workbench.CompositionException;
import org.junit.jupiter.api.Test;

class ComposerTest {
    record FamilyConfig(Integer size) {
        FamilyConfig {
            size = size == null ? 3 : size;
            if (size < 1) {
                throw new IllegalArgumentException("size must be >= 1, was " + size);
            }
        }
    }

    record NoConfig() {
    }

    static class Family implements ModelFamily<FamilyConfig> {
        final String name;
        final Set<Class<? extends Capability>> caps;

        Family(String name, Set<Class<? extends Capability>> caps) {
            this.name = name;
            this.caps = caps;
        }

        public String name() {
            return name;
        }

        public String description() {
            return "test family";
        }

        public Class<FamilyConfig> configType() {
            return FamilyConfig.class;
        }

        public Set<Class<? extends Capability>> capabilities() {
            return caps;
        }

        public Model create(FamilyConfig c, DataInfo d, Rng r) {
            throw new UnsupportedOperationException("composition only");
        }
    }

    static final class NeedsEnergy implements Sampler<NoConfig> {
        public String name() {
            return "hmc";
        }

        public String description() {
            return "test sampler";
        }

        public Class<NoConfig> configType() {
            return NoConfig.class;
        }

        public Requirement requires() {
            return Requirement.allOf(Energy.class);
        }

        public SampleResult sample(Model m, NoConfig c, RunContext ctx) {
            throw new UnsupportedOperationException("composition only");
        }
    }

    static final class AnyTrainer implements org.genbench.api.Trainer<NoConfig> {
        public String name() {
            return "t";
        }

        public String description() {
            return "test trainer";
        }

        public Class<NoConfig> configType() {
            return NoConfig.class;
        }

        public Requirement requires() {
            return Requirement.none();
        }

        public List<Metric> train(Model m, org.genbench.api.Dataset d, NoConfig c, RunContext ctx) {
            return List.of();
        }
    }

    static class Data implements org.genbench.api.DatasetProvider<NoConfig> {
        public String name() {
            return "d";
        }

        public String description() {
            return "test data";
        }

        public Class<NoConfig> configType() {
            return NoConfig.class;
        }

        public org.genbench.api.Dataset open(NoConfig c, RunContext ctx) {
            throw new UnsupportedOperationException("composition only");
        }
    }

    private static ComponentRegistry registry() {
        ComponentRegistry r = new ComponentRegistry();
        r.add(new Registered(Role.DATASET, new Data(), "b.data", "1", 1));
        r.add(new Registered(Role.MODEL, new Family("flow", Set.of(LogDensity.class)), "b.flow", "1", 2));
        r.add(new Registered(Role.MODEL, new Family("ebm", Set.of(Energy.class)), "b.ebm", "1", 3));
        r.add(new Registered(Role.TRAINER, new AnyTrainer(), "b.t", "1", 4));
        r.add(new Registered(Role.SAMPLER, new NeedsEnergy(), "b.hmc", "1", 5));
        return r;
    }

    private static ExperimentSpec spec(String model, Map<String, Object> config) {
        return new ExperimentSpec("x", 1L, ComponentSpec.of("d"), ComponentSpec.of(model, config), ComponentSpec.of("t"),
                List.of(ComponentSpec.of("hmc")), List.of());
    }

    @Test
    void aMissingCapabilityNamesItAndTheModelsThatHaveIt() {
        CompositionException e = assertThrows(CompositionException.class,
                () -> new Composer(registry()).compose(spec("flow", Map.of())));
        assertEquals(List.of("samplers[0]: sampler 'hmc' needs Energy, but model 'flow' provides only LogDensity; "
                + "installed models with Energy: ebm"), e.problems());
    }

    @Test
    void aFittingCompositionResolvesConfigsWithDefaults() throws Exception {
        Composition c = new Composer(registry()).compose(spec("ebm", Map.of()));
        assertEquals(new FamilyConfig(3), c.model().config());
        assertEquals("b.ebm", c.model().registered().bundle());
    }

    @Test
    void badSettingsAreReportedWithTheFieldAndAllProblemsAtOnce() {
        ExperimentSpec spec = new ExperimentSpec("x", 1L, ComponentSpec.of("nope"), ComponentSpec.of("ebm", Map.of("size", 0)),
                ComponentSpec.of("t"), List.of(ComponentSpec.of("hmc", Map.of("steps", 3))), List.of());
        CompositionException e = assertThrows(CompositionException.class, () -> new Composer(registry()).compose(spec));
        assertEquals(3, e.problems().size(), e::getMessage);
        assertEquals("dataset (nope): unknown dataset 'nope'; installed datasets: d", e.problems().get(0));
        assertEquals("model (ebm).config.size: must be >= 1, was 0", e.problems().get(1));
        assertTrue(e.problems().get(2).startsWith("samplers[0] (hmc).config: unknown field 'steps'"), e::getMessage);
    }

    @Test
    void noCoercion() {
        CompositionException e = assertThrows(CompositionException.class,
                () -> new Composer(registry()).compose(spec("ebm", Map.of("size", "3"))));
        assertEquals(List.of("model (ebm).config.size: expected an integer, got \"3\" (a string)"), e.problems());
        e = assertThrows(CompositionException.class, () -> new Composer(registry()).compose(spec("ebm", Map.of("size", 3.0))));
        assertEquals(List.of("model (ebm).config.size: expected an integer, got 3.0 (a number)"), e.problems());
        e = assertThrows(CompositionException.class,
                () -> new Composer(registry()).compose(spec("ebm", Map.of("size", 2147483648L))));
        assertEquals(List.of("model (ebm).config.size: must be an integer from -2147483648 to 2147483647, was 2147483648"),
                e.problems());
    }

    @Test
    void theNewestVersionOfABundleIsUsedAndTheOlderIsShadowed() throws Exception {
        ComponentRegistry r = registry();
        r.add(new Registered(Role.MODEL, new Family("lap", Set.of(LogDensity.class)), "b.lap", "1.0.0", 10));
        r.add(new Registered(Role.MODEL, new Family("lap", Set.of(Energy.class)), "b.lap", "1.1.0", 11));
        r.add(new Registered(Role.MODEL, new Family("lap", Set.of(LogDensity.class)), "b.lap", "1.0.9", 12));
        assertEquals("1.1.0", r.find(Role.MODEL, "lap").orElseThrow().bundleVersion());
        assertEquals(1, r.all(Role.MODEL).stream().filter(x -> x.name().equals("lap")).count());
        assertEquals(List.of("model 'lap' of b.lap 1.0.0 is shadowed by b.lap 1.1.0",
                "model 'lap' of b.lap 1.0.9 is shadowed by b.lap 1.1.0"), r.shadowed());
        // the message does not contradict itself: the model used is the one whose capabilities it lists
        new Composer(r).compose(spec("lap", Map.of()));
        r.remove(11);
        CompositionException e = assertThrows(CompositionException.class, () -> new Composer(r).compose(spec("lap", Map.of())));
        assertEquals(List.of("samplers[0]: sampler 'hmc' needs Energy, but model 'lap' provides only LogDensity; "
                + "installed models with Energy: ebm"), e.problems());
    }

    @Test
    void aSpecWithoutTrainerRunsOnlyModelsThatNeedNone() throws Exception {
        ComponentRegistry r = registry();
        r.add(new Registered(Role.MODEL, new Family("fixed", Set.of(Energy.class)) {
            @Override
            public boolean needsTraining() {
                return false;
            }
        }, "b.fixed", "1", 20));
        ExperimentSpec fixed = new ExperimentSpec("x", 1L, ComponentSpec.of("d"), ComponentSpec.of("fixed"), null,
                List.of(ComponentSpec.of("hmc")), List.of());
        assertEquals(null, new Composer(r).compose(fixed).trainer());
        ExperimentSpec ebm = new ExperimentSpec("x", 1L, ComponentSpec.of("d"), ComponentSpec.of("ebm"), null,
                List.of(ComponentSpec.of("hmc")), List.of());
        CompositionException e = assertThrows(CompositionException.class, () -> new Composer(r).compose(ebm));
        assertEquals(List.of("trainer is missing: model 'ebm' must be fitted before it can be used; installed trainers "
                + "that fit it: t; installed models that need no trainer: fixed"), e.problems());
    }

    /** A sampler that holds {@code draws} x dimension doubles, over data of 3 values per example. */
    @Test
    void settingsThatCannotFitInMemoryAreRefusedNamingTheFieldAndWhatFits() {
        ComponentRegistry r = new ComponentRegistry();
        r.add(new Registered(Role.DATASET, new Data() {
            @Override
            public java.util.Optional<org.genbench.api.DataSize> size(NoConfig c) {
                return java.util.Optional.of(new org.genbench.api.DataSize(new long[] {3}, Map.of("train", 10L)));
            }
        }, "b.data", "1", 1));
        r.add(new Registered(Role.MODEL, new Family("ebm", Set.of(Energy.class)) {
            @Override
            public void checkData(FamilyConfig c, org.genbench.api.DataSize data) {
                if (c.size() > data.rows("train")) {
                    throw new IllegalArgumentException("size must be <= the " + data.rows("train") + " training examples, was " + c.size());
                }
            }
        }, "b.ebm", "1", 3));
        r.add(new Registered(Role.TRAINER, new AnyTrainer(), "b.t", "1", 4));
        r.add(new Registered(Role.SAMPLER, new Hungry(), "b.h", "1", 5));
        Composer composer = new Composer(r, 1_000_000);
        ExperimentSpec big = new ExperimentSpec("x", 1L, ComponentSpec.of("d"), ComponentSpec.of("ebm"), ComponentSpec.of("t"),
                List.of(ComponentSpec.of("hungry", Map.of("draws", 100_000))), List.of());
        CompositionException e = assertThrows(CompositionException.class, () -> composer.compose(big));
        assertEquals(List.of("samplers[0] (hungry).config.draws: 100000 draws of 3 values need at least 2.4 MB, more than "
                + "the 1.0 MB a run may hold here (the JVM's maximum heap, or genbench.memory if lower); at most 41666 fit"), e.problems());
        ExperimentSpec small = new ExperimentSpec("x", 1L, ComponentSpec.of("d"), ComponentSpec.of("ebm"), ComponentSpec.of("t"),
                List.of(ComponentSpec.of("hungry", Map.of("draws", 41_666))), List.of());
        assertEquals(41_666, ((HungryConfig) assertDoesNotThrow(() -> composer.compose(small)).samplers().get(0).config()).draws());
        ExperimentSpec tooMany = new ExperimentSpec("x", 1L, ComponentSpec.of("d"), ComponentSpec.of("ebm", Map.of("size", 11)),
                ComponentSpec.of("t"), List.of(ComponentSpec.of("hungry", Map.of("draws", 1))), List.of());
        e = assertThrows(CompositionException.class, () -> composer.compose(tooMany));
        assertEquals(List.of("model (ebm).config.size: must be <= the 10 training examples, was 11"), e.problems());
    }

    record HungryConfig(Integer draws) {
    }

    record Arrays(double[] weights, double[][] means, java.util.List<Integer> size, Object free) {
    }

    @Test
    void arraysListsAndFreeValuesAreBoundStrictly() {
        Arrays a = ConfigBinder.bind(Arrays.class, Map.of("weights", List.of(0.5, 1), "means", List.of(List.of(1, 2.5)),
                "size", List.of(3, 4), "free", List.of("x", 1)), "model (m).config");
        assertEquals(List.of(0.5, 1.0), java.util.Arrays.stream(a.weights()).boxed().toList());
        assertEquals(2.5, a.means()[0][1]);
        assertEquals(List.of(3, 4), a.size());
        assertEquals(List.of("x", 1), a.free());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigBinder.bind(Arrays.class,
                Map.of("means", List.of(List.of(1, "2"))), "model (m).config"));
        assertEquals("model (m).config.means[0][1]: expected a number, got \"2\" (a string)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigBinder.bind(Arrays.class,
                Map.of("size", List.of(1.5)), "model (m).config"));
        assertEquals("model (m).config.size[0]: expected an integer, got 1.5 (a number)", e.getMessage());
    }

    static final class Hungry implements Sampler<HungryConfig> {
        public String name() {
            return "hungry";
        }

        public String description() {
            return "holds its draws";
        }

        public Class<HungryConfig> configType() {
            return HungryConfig.class;
        }

        public Requirement requires() {
            return Requirement.none();
        }

        @Override
        public List<org.genbench.api.MemoryDemand> memory(HungryConfig c, org.genbench.api.DataSize data) {
            return List.of(new org.genbench.api.MemoryDemand("draws", c.draws(), 8 * data.dimension(),
                    "draws of " + data.dimension() + " values"));
        }

        public SampleResult sample(Model m, HungryConfig c, RunContext ctx) {
            throw new UnsupportedOperationException("composition only");
        }
    }

    @Test
    void aDepartingComponentIsNoLongerFound() {
        ComponentRegistry r = registry();
        List<String> departed = new java.util.ArrayList<>();
        r.onDeparture(g -> departed.add(g.name()));
        r.remove(3);
        assertEquals(List.of("ebm"), departed);
        assertTrue(r.find(Role.MODEL, "ebm").isEmpty());
    }
}
