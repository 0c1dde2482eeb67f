package org.genbench.api;

import org.osgi.annotation.versioning.ConsumerType;

/** The model accepts a condition c (a class label); conditional samplers pass it through. */
@ConsumerType
public interface Conditional extends Capability {
    int numClasses();
}
