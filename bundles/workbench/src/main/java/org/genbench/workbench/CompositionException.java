package org.genbench.workbench;

import java.util.List;

/** The parts of an experiment do not fit; {@link #problems()} lists each, naming the component and what is missing. */
public class CompositionException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public CompositionException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
