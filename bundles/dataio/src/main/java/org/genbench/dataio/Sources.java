package org.genbench.dataio;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which files hold the data, as every file dataset's settings say it: {@code path} (one file or folder, split
 * into train and test by {@code testFraction} with the dataset's seeded stream) or {@code train} and {@code test}
 * (split already, used as they are).
 *
 * @param single   the one input, or null
 * @param train    the training input, or null
 * @param test     the test input, or null
 * @param checksum sha256 of the input (one file) or of the listing of inputs (see {@link DataFiles#sha256(Map)})
 */
public record Sources(Path single, Path train, Path test, String checksum) {
    public static final double DEFAULT_TEST_FRACTION = 0.2;

    /**
     * Checks the settings together and returns {@code testFraction} with its default (or null when train and test
     * files are given). Every message names the field.
     */
    public static Double check(String path, String train, String test, Double testFraction) {
        blank("path", path);
        blank("train", train);
        blank("test", test);
        if (path == null && train == null && test == null) {
            throw new IllegalArgumentException("field 'path' is missing: give 'path' (one input, split by testFraction)"
                    + " or 'train' and 'test' (two inputs, split already)");
        }
        if (path != null && (train != null || test != null)) {
            throw new IllegalArgumentException("give either 'path' or 'train' and 'test', not both");
        }
        if (path == null && (train == null || test == null)) {
            throw new IllegalArgumentException("field '" + (train == null ? "train" : "test") + "' is missing: 'train' "
                    + "and 'test' go together");
        }
        if (path == null) {
            if (testFraction != null) {
                throw new IllegalArgumentException("testFraction applies to 'path' only; 'train' and 'test' are split"
                        + " already");
            }
            return null;
        }
        double f = testFraction == null ? DEFAULT_TEST_FRACTION : testFraction;
        if (!(f > 0 && f < 1)) {
            throw new IllegalArgumentException("testFraction must be in (0, 1), was " + f);
        }
        return f;
    }

    private static void blank(String field, String value) {
        if (value != null && value.isBlank()) {
            throw new IllegalArgumentException("field '" + field + "' must not be empty");
        }
    }

    /** The inputs resolved against the workspace and checked to exist (files, or folders when {@code folders}). */
    public static Sources resolve(Path workspace, String path, String train, String test, boolean folders)
            throws IOException {
        if (path != null) {
            Path p = folders ? DataFiles.requireDirectory(workspace, "path", path)
                    : DataFiles.requireFile(workspace, "path", path);
            return new Sources(p, null, null, folders ? null : DataFiles.sha256(p));
        }
        Path tr = folders ? DataFiles.requireDirectory(workspace, "train", train)
                : DataFiles.requireFile(workspace, "train", train);
        Path te = folders ? DataFiles.requireDirectory(workspace, "test", test)
                : DataFiles.requireFile(workspace, "test", test);
        Map<String, Path> both = new LinkedHashMap<>();
        both.put(train, tr);
        both.put(test, te);
        return new Sources(null, tr, te, folders ? null : DataFiles.sha256(both));
    }

    /** True when the inputs are split already. */
    public boolean presplit() {
        return single == null;
    }

    /** A copy with another checksum (a folder's, computed by the caller over the files it read). */
    public Sources withChecksum(String sum) {
        return new Sources(single, train, test, sum);
    }
}
