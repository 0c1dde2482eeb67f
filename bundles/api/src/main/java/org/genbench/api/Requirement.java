package org.genbench.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a trainer, sampler or evaluator needs of a model: any one of several sets of capabilities, each set
 * needed whole. MALA needs {Score} or {Energy}; HMC needs {Energy}.
 */
public record Requirement(List<Set<Class<? extends Capability>>> alternatives) {
    public Requirement {
        alternatives = List.copyOf(alternatives.stream().map(Set::copyOf).toList());
    }

    public static Requirement none() {
        return new Requirement(List.of());
    }

    @SafeVarargs
    public static Requirement allOf(Class<? extends Capability>... capabilities) {
        return new Requirement(List.of(Set.of(capabilities)));
    }

    @SafeVarargs
    public static Requirement anyOf(Class<? extends Capability>... capabilities) {
        List<Set<Class<? extends Capability>>> alternatives = new ArrayList<>();
        for (Class<? extends Capability> c : capabilities) {
            alternatives.add(Set.of(c));
        }
        return new Requirement(alternatives);
    }

    public boolean isSatisfiedBy(Collection<Class<? extends Capability>> provided) {
        return alternatives.isEmpty() || alternatives.stream().anyMatch(provided::containsAll);
    }

    /** All capability classes this requirement mentions. */
    public Set<Class<? extends Capability>> mentioned() {
        return alternatives.stream().flatMap(Set::stream).collect(Collectors.toSet());
    }

    /** Human-readable, e.g. {@code Score or Energy}, {@code LogDensity and Score}. */
    public String describe() {
        if (alternatives.isEmpty()) {
            return "nothing";
        }
        return alternatives.stream()
                .map(set -> set.stream().map(Capability::nameOf).sorted().collect(Collectors.joining(" and ")))
                .sorted()
                .collect(Collectors.joining(" or "));
    }
}
