package org.genbench.api.spec;

import java.util.Map;

/**
 * Where a run's numbers come from: the bundles that took part (symbolic name to version), the libraries of the
 * platform, the JVM and OS, the source commit when known, the data's checksum, and the numerics the run computed
 * on: BLAS configuration and version, the kernel set OpenBLAS picked for this CPU (its core name), thread counts,
 * and the outcome of the platform's numerics check.
 */
public record Provenance(Map<String, String> bundles, Map<String, String> libraries, String jvm, String os,
                         String gitCommit, String datasetChecksum, String started, Map<String, String> numerics) {
    public Provenance {
        bundles = Map.copyOf(bundles);
        libraries = Map.copyOf(libraries);
        numerics = numerics == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(numerics));
    }
}
