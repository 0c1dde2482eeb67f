package org.genbench.workbench;

import java.util.List;

/**
 * One installed component. For a model family {@code capabilities} lists what its models provide; for the
 * other roles it is their requirement, e.g. {@code Score or Energy}.
 */
public record ComponentInfo(String role, String name, String description, List<String> capabilities,
                            String bundle, String bundleVersion) {
    public ComponentInfo {
        capabilities = List.copyOf(capabilities);
    }
}
