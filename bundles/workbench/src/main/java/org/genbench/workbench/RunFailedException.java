package org.genbench.workbench;

import java.nio.file.Path;

/**
 * A run that started and did not complete; its directory records why. {@link #status()} is {@code failed} (an error,
 * a timeout, a divergence, a departed plug-in) or {@code interrupted} (cancelled, a signal); {@code refused} for a
 * {@link RunRefusedException}, which has no run directory.
 */
public class RunFailedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String runId;
    private final Path directory;
    private final String status;

    public RunFailedException(String runId, Path directory, String message, Throwable cause) {
        this(runId, directory, "failed", message, cause);
    }

    public RunFailedException(String runId, Path directory, String status, String message, Throwable cause) {
        super("run " + runId + (status.equals("interrupted") ? " was interrupted: " : " failed: ") + message, cause);
        this.runId = runId;
        this.directory = directory;
        this.status = status;
    }

    /** With {@code verbatim}, the message is taken as it is, without the "run ID failed: " prefix. */
    protected RunFailedException(String runId, Path directory, String message, Throwable cause, boolean verbatim) {
        super(verbatim ? message : "run " + runId + " failed: " + message, cause);
        this.runId = runId;
        this.directory = directory;
        this.status = verbatim ? "refused" : "failed";
    }

    public String runId() {
        return runId;
    }

    public Path directory() {
        return directory;
    }

    /** {@code failed} or {@code interrupted}, as recorded in the run's run.json; {@code refused} before a run began. */
    public String status() {
        return status;
    }
}
