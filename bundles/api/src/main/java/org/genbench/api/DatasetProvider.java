package org.genbench.api;

import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/** A source of data: opens a dataset from its settings. */
@ConsumerType
public interface DatasetProvider<C extends Record> extends Component<C> {
    Dataset open(C config, RunContext context) throws IOException;

    /** What {@link #open} will yield for these settings, without opening anything; empty when it cannot tell. */
    default java.util.Optional<DataSize> size(C config) {
        return java.util.Optional.empty();
    }
}
