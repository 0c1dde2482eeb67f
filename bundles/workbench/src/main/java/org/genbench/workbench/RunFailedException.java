package org.genbench.workbench;

import java.nio.file.Path;

/** A run that started and failed; its directory records the error. */
public class RunFailedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String runId;
    private final Path directory;

    public RunFailedException(String runId, Path directory, String message, Throwable cause) {
        this(runId, directory, message, cause, false);
    }

    /** With {@code verbatim}, the message is taken as it is, without the "run ID failed: " prefix. */
    protected RunFailedException(String runId, Path directory, String message, Throwable cause, boolean verbatim) {
        super(verbatim ? message : "run " + runId + " failed: " + message, cause);
        this.runId = runId;
        this.directory = directory;
    }

    public String runId() {
        return runId;
    }

    public Path directory() {
        return directory;
    }
}
