package org.genbench.workbench.internal;

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

    static final class Family implements ModelFamily<FamilyConfig> {
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

    static final class Data implements org.genbench.api.DatasetProvider<NoConfig> {
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
        assertEquals(List.of("sampler 'hmc' needs Energy, but model 'flow' provides only LogDensity; "
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
        assertTrue(e.problems().get(0).equals("unknown dataset 'nope'; installed datasets: d"), e::getMessage);
        assertTrue(e.problems().get(1).equals("model 'ebm' config: size must be >= 1, was 0"), e::getMessage);
        assertTrue(e.problems().get(2).startsWith("sampler 'hmc' config: unknown field 'steps'"), e::getMessage);
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
