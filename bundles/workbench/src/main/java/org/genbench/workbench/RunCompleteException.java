package org.genbench.workbench;

/** {@code resume} of a run that already completed: nothing is changed unless the resumption is forced. */
public class RunCompleteException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String runId;

    public RunCompleteException(String runId, String finished) {
        super("run " + runId + " already completed" + (finished == null || finished.isEmpty() ? "" : " (finished " + finished + ")")
                + "; nothing was changed. To run it again in place: resume --force " + runId);
        this.runId = runId;
    }

    public String runId() {
        return runId;
    }
}
