package org.genbench.workbench;

/** A spec that cannot be read: bad JSON, a missing field, a wrong type. The message names the field. */
public class SpecException extends Exception {
    private static final long serialVersionUID = 1L;

    public SpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
