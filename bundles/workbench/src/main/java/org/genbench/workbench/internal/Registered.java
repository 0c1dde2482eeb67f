package org.genbench.workbench.internal;

import org.genbench.api.Component;

/** A component service as the registry holds it, with the bundle that provides it. */
record Registered(Role role, Component<?> component, String bundle, String bundleVersion, long serviceId) {
    String name() {
        return component.name();
    }
}
