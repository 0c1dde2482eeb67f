package org.genbench.api.spec;

import java.util.Map;

/**
 * Where a run's numbers come from: the bundles that took part (symbolic name to version), the libraries of the
 * platform, the JVM and OS, the source commit when known, and the data's checksum.
 */
public record Provenance(Map<String, String> bundles, Map<String, String> libraries, String jvm, String os,
                         String gitCommit, String datasetChecksum, String started) {
    public Provenance {
        bundles = Map.copyOf(bundles);
        libraries = Map.copyOf(libraries);
    }
}
