package org.genbench.workbench.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.genbench.api.Capability;
import org.genbench.api.Evaluator;
import org.genbench.api.ModelFamily;
import org.genbench.api.Requirement;
import org.genbench.api.Sampler;
import org.genbench.api.Trainer;
import org.genbench.api.spec.ComponentSpec;
import org.genbench.api.spec.ExperimentSpec;
import org.genbench.workbench.CompositionException;

/**
 * Resolves a spec against the registry and checks, before anything runs or is written, that every part is
 * installed, every setting is valid, and the model has what the trainer, samplers and evaluators need. All
 * problems are reported at once, each naming the part and, for a missing capability, the installed models that
 * have it.
 */
final class Composer {
    private final ComponentRegistry registry;

    Composer(ComponentRegistry registry) {
        this.registry = registry;
    }

    Composition compose(ExperimentSpec spec) throws CompositionException {
        List<String> problems = new ArrayList<>();
        Composition.Part dataset = resolve(Role.DATASET, spec.dataset(), problems);
        Composition.Part model = resolve(Role.MODEL, spec.model(), problems);
        Composition.Part trainer = resolve(Role.TRAINER, spec.trainer(), problems);
        List<Composition.Part> samplers = new ArrayList<>();
        for (ComponentSpec s : spec.samplers()) {
            samplers.add(resolve(Role.SAMPLER, s, problems));
        }
        List<Composition.Part> evaluators = new ArrayList<>();
        for (ComponentSpec e : spec.evaluators()) {
            evaluators.add(resolve(Role.EVALUATOR, e, problems));
        }
        if (model != null) {
            Set<Class<? extends Capability>> provided = ((ModelFamily<?>) model.registered().component()).capabilities();
            if (trainer != null) {
                check(trainer, ((Trainer<?>) trainer.registered().component()).requires(), model, provided, problems);
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
        if (!problems.isEmpty()) {
            throw new CompositionException(problems);
        }
        return new Composition(spec, dataset, model, trainer, samplers, evaluators);
    }

    private Composition.Part resolve(Role role, ComponentSpec spec, List<String> problems) {
        Optional<Registered> found = registry.find(role, spec.type());
        if (found.isEmpty()) {
            String installed = registry.all(role).stream().map(Registered::name).collect(Collectors.joining(", "));
            problems.add("unknown " + role.label + " '" + spec.type() + "'; installed " + role.plural + ": "
                    + (installed.isEmpty() ? "none" : installed));
            return null;
        }
        Registered registered = found.get();
        try {
            Record config = Json.newMapper().convertValue(spec.config(), registered.component().configType());
            return new Composition.Part(registered, spec.id(), config);
        } catch (IllegalArgumentException e) {
            String why = e.getCause() instanceof JsonProcessingException j ? Json.describe(j) : e.getMessage();
            if (e.getCause() instanceof JsonMappingException m && m.getCause() instanceof IllegalArgumentException iae
                    && !(m instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException)) {
                why = iae.getMessage();
            }
            problems.add(role.label + " '" + spec.id() + "' config: " + why);
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
        problems.add(part.registered().role().label + " '" + part.id() + "' needs " + needs.describe() + ", but model '"
                + model.name() + "' provides only " + (has.isEmpty() ? "nothing" : has) + "; installed models with "
                + needs.describe() + ": " + (alternatives.isEmpty() ? "none" : alternatives));
    }
}
