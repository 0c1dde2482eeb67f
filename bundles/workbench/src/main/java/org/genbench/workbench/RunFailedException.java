package org.genbench.workbench;

import java.nio.file.Path;

/**
 * A run that started and did not complete; its directory records why. {@link #status()} is {@code failed} (an error,
 * a timeout, a divergence, a departed plug-in), {@code interrupted} (cancelled, a signal) or {@code refused}
 * ({@link RunRefusedException}: it never started).
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
        this(runId, directory, status, message, cause, false);
    }

    /** With {@code verbatim}, the message is taken as it is, without the "run ID failed: " prefix. */
    protected RunFailedException(String runId, Path directory, String status, String message, Throwable cause,
                                 boolean verbatim) {
        super(verbatim ? message
                : "run " + runId + (status.equals("interrupted") ? " was interrupted: " : " failed: ") + message, cause);
        this.runId = runId;
        this.directory = directory;
        this.status = status;
    }

    public String runId() {
        return runId;
    }

    public Path directory() {
        return directory;
    }

    /** {@code failed} or {@code interrupted}, as recorded in the run's run.json. */
    public String status() {
        return status;
    }
}
