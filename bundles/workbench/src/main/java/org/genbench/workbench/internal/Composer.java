package org.genbench.workbench.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.genbench.api.Capability;
import org.genbench.api.Component;
import org.genbench.api.DataSize;
import org.genbench.api.DatasetProvider;
import org.genbench.api.Evaluator;
import org.genbench.api.MemoryDemand;
import org.genbench.api.ModelFamily;
import org.genbench.api.Requirement;
import org.genbench.api.Sampler;
import org.genbench.api.Trainer;
import org.genbench.api.spec.ComponentSpec;
import org.genbench.api.spec.ExperimentSpec;
import org.genbench.workbench.CompositionException;

/**
 * Resolves a spec against the registry and checks, before anything runs or is written, that every part is
 * installed, every setting is valid, the model has what the trainer, samplers and evaluators need, and the memory
 * the settings ask for fits in what the JVM can hold. All problems are reported at once, each naming the part by
 * its place in the spec ({@code samplers[1] (hmc).config.stepSize}) and, for a missing capability, the installed
 * models that have it. What this accepts, the runner does not refuse for a reason visible here.
 */
final class Composer {
    private final ComponentRegistry registry;
    private final long memoryBudget;

    Composer(ComponentRegistry registry) {
        this(registry, Runtime.getRuntime().maxMemory());
    }

    /** @param memoryBudget bytes a run may hold at once (the JVM's maximum heap) */
    Composer(ComponentRegistry registry, long memoryBudget) {
        this.registry = registry;
        this.memoryBudget = memoryBudget;
    }

    Composition compose(ExperimentSpec spec) throws CompositionException {
        List<String> problems = new ArrayList<>();
        Composition.Part dataset = resolve(Role.DATASET, "dataset", spec.dataset(), problems);
        Composition.Part model = resolve(Role.MODEL, "model", spec.model(), problems);
        Composition.Part trainer = spec.trainer() == null ? null : resolve(Role.TRAINER, "trainer", spec.trainer(), problems);
        List<Composition.Part> samplers = new ArrayList<>();
        for (int i = 0; i < spec.samplers().size(); i++) {
            samplers.add(resolve(Role.SAMPLER, "samplers[" + i + "]", spec.samplers().get(i), problems));
        }
        List<Composition.Part> evaluators = new ArrayList<>();
        for (int i = 0; i < spec.evaluators().size(); i++) {
            evaluators.add(resolve(Role.EVALUATOR, "evaluators[" + i + "]", spec.evaluators().get(i), problems));
        }
        if (model != null) {
            ModelFamily<?> family = (ModelFamily<?>) model.registered().component();
            Set<Class<? extends Capability>> provided = family.capabilities();
            if (trainer != null) {
                check(trainer, ((Trainer<?>) trainer.registered().component()).requires(), model, provided, problems);
            } else if (spec.trainer() == null && family.needsTraining()) {
                String fitting = registry.all(Role.TRAINER).stream()
                        .filter(r -> ((Trainer<?>) r.component()).requires().isSatisfiedBy(provided))
                        .map(Registered::name).collect(Collectors.joining(", "));
                String untrained = registry.all(Role.MODEL).stream()
                        .filter(r -> !((ModelFamily<?>) r.component()).needsTraining())
                        .map(Registered::name).collect(Collectors.joining(", "));
                problems.add("trainer is missing: model '" + model.name() + "' must be fitted before it can be used; "
                        + "installed trainers that fit it: " + (fitting.isEmpty() ? "none" : fitting)
                        + "; installed models that need no trainer: " + (untrained.isEmpty() ? "none" : untrained));
            }
            for (Composition.Part s : samplers) {
                if (s != null) {
                    check(s, ((Sampler<?>) s.registered().component()).requires(), model, provided, problems);
                }
            }
            for (Composition.Part e : evaluators) {
                if (e != null) {
                    check(e, ((Evaluator<?>) e.registered().component()).requires(), model, provided, problems);
                }
            }
        }
        if (dataset != null) {
            checkMemory(dataset, model, trainer, samplers, evaluators, problems);
        }
        if (!problems.isEmpty()) {
            throw new CompositionException(problems);
        }
        return new Composition(spec, dataset, model, trainer, samplers, evaluators);
    }

    private Composition.Part resolve(Role role, String place, ComponentSpec spec, List<String> problems) {
        String where = place + " (" + spec.type() + ")";
        Optional<Registered> found = registry.find(role, spec.type());
        if (found.isEmpty()) {
            String installed = registry.all(role).stream().map(Registered::name).collect(Collectors.joining(", "));
            problems.add(where + ": unknown " + role.label + " '" + spec.type() + "'; installed " + role.plural + ": "
                    + (installed.isEmpty() ? "none" : installed) + registry.notStartedNote());
            return null;
        }
        Registered registered = found.get();
        try {
            Record config = ConfigBinder.bind(registered.component().configType(), spec.config(), where + ".config");
            return new Composition.Part(registered, spec.id(), place, config);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    private void check(Composition.Part part, Requirement needs, Composition.Part model,
                       Set<Class<? extends Capability>> provided, List<String> problems) {
        if (needs.isSatisfiedBy(provided)) {
            return;
        }
        String has = provided.stream().map(Capability::nameOf).sorted().collect(Collectors.joining(", "));
        String alternatives = registry.all(Role.MODEL).stream()
                .filter(r -> needs.isSatisfiedBy(((ModelFamily<?>) r.component()).capabilities()))
                .map(Registered::name)
                .collect(Collectors.joining(", "));
        problems.add(part.place() + ": " + part.registered().role().label + " '" + part.id() + "' needs " + needs.describe()
                + ", but model '" + model.name() + "' provides only " + (has.isEmpty() ? "nothing" : has)
                + "; installed models with " + needs.describe() + ": " + (alternatives.isEmpty() ? "none" : alternatives));
    }

    /**
     * Adds the parts' memory demands (each a lower bound) and refuses settings that cannot fit in the budget: a
     * single demand larger than the budget is named with the largest value that would fit; demands that fit alone
     * but not together are named together.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void checkMemory(Composition.Part dataset, Composition.Part model, Composition.Part trainer,
                             List<Composition.Part> samplers, List<Composition.Part> evaluators, List<String> problems) {
        DataSize size;
        try {
            Optional<?> known = ((DatasetProvider) dataset.registered().component()).size(dataset.config());
            size = known.isPresent() ? (DataSize) known.get() : DataSize.UNKNOWN;
        } catch (RuntimeException e) {
            size = DataSize.UNKNOWN;
        }
        List<Composition.Part> parts = new ArrayList<>();
        parts.add(dataset);
        parts.add(model);
        parts.add(trainer);
        parts.addAll(samplers);
        parts.addAll(evaluators);
        parts.removeIf(java.util.Objects::isNull); // parts that could not be resolved are reported already
        if (size != DataSize.UNKNOWN) {
            for (Composition.Part p : parts) {
                try {
                    ((Component) p.registered().component()).checkData(p.config(), size);
                } catch (IllegalArgumentException e) {
                    problems.add(ConfigBinder.attribute(p.label() + ".config", fields(p.config()), e.getMessage()));
                } catch (RuntimeException e) {
                    // a faulty check is the plug-in's problem; the run itself will say what is wrong
                }
            }
        }
        List<Map.Entry<Composition.Part, MemoryDemand>> demands = new ArrayList<>();
        for (Composition.Part p : parts) {
            List<MemoryDemand> asked;
            try {
                asked = ((Component) p.registered().component()).memory(p.config(), size);
            } catch (RuntimeException e) {
                continue; // an estimate is advice; a plug-in whose estimate fails is checked at run time instead
            }
            for (MemoryDemand d : asked == null ? List.<MemoryDemand>of() : asked) {
                demands.add(Map.entry(p, d));
            }
        }
        long total = 0;
        for (Map.Entry<Composition.Part, MemoryDemand> e : demands) {
            total = saturatingAdd(total, e.getValue().bytes());
        }
        if (total <= memoryBudget) {
            return;
        }
        boolean named = false;
        for (Map.Entry<Composition.Part, MemoryDemand> e : demands) {
            MemoryDemand d = e.getValue();
            long others = total - d.bytes();
            if (d.bytes() > memoryBudget && d.bytesEach() > 0) {
                long fit = Math.max(0, (memoryBudget - Math.min(others, memoryBudget)) / d.bytesEach());
                problems.add(e.getKey().label() + ".config." + d.field() + ": " + d.count() + " "
                        + d.what() + " need at least " + bytes(d.bytes()) + ", more than the " + bytes(memoryBudget)
                        + " a run may hold here (the JVM's maximum heap, or genbench.memory if lower); at most " + fit + " fit");
                named = true;
            }
        }
        if (!named) {
            String all = demands.stream().filter(e -> e.getValue().bytes() > 0)
                    .sorted((a, b) -> Long.compare(b.getValue().bytes(), a.getValue().bytes()))
                    .map(e -> e.getKey().label() + ".config." + e.getValue().field() + " "
                            + bytes(e.getValue().bytes()))
                    .collect(Collectors.joining(", "));
            problems.add("together the settings need at least " + bytes(total) + ", more than the " + bytes(memoryBudget)
                    + " a run may hold here (the JVM's maximum heap, or genbench.memory if lower): " + all);
        }
    }

    private static List<String> fields(Record config) {
        return java.util.Arrays.stream(config.getClass().getRecordComponents()).map(java.lang.reflect.RecordComponent::getName).toList();
    }

    private static long saturatingAdd(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    static String bytes(long n) {
        if (n == Long.MAX_VALUE) {
            return "more than 9 EB";
        }
        String[] units = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
        double v = n;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? n + " bytes" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
