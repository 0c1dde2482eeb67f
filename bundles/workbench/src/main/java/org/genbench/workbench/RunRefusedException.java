package org.genbench.workbench;

import java.nio.file.Path;

/**
 * A run that was refused before it started, so no run directory exists: the platform's numerics check failed on
 * this machine (see {@code bin/genbench doctor}).
 */
public class RunRefusedException extends RunFailedException {
    private static final long serialVersionUID = 1L;

    public RunRefusedException(Path runs, String message) {
        super("-", runs, "refused", message, null, true);
    }
}
