package org.genbench.dataio;

import java.io.IOException;

/**
 * A file named in a dataset's settings is missing or holds what the dataset cannot take (a ragged row, a cell that
 * is not a number, a NaN, a pickled array, an image that does not decode). The message names the setting or the
 * file, and where in the file.
 */
public class DataFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public DataFileException(String message) {
        super(message);
    }

    public DataFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
