package org.genbench.workbench.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.Checkpoints;
import org.genbench.api.Dataset;
import org.genbench.api.DatasetProvider;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.spec.ExperimentSpec;
import org.genbench.workbench.OpenedRun;

/**
 * A run's dataset and model rebuilt from its spec with the run's own streams ({@code dataset}, {@code model}, split
 * from the seed as the runner splits them) and the model's state from {@code checkpoint/}.
 */
final class OpenedRunImpl implements OpenedRun {
    private final String id;
    private final Path dir;
    private final ExperimentSpec spec;
    private final BufferAllocator allocator;
    private final Dataset dataset;
    private final Model model;

    private OpenedRunImpl(String id, Path dir, ExperimentSpec spec, BufferAllocator allocator, Dataset dataset,
                          Model model) {
        this.id = id;
        this.dir = dir;
        this.spec = spec;
        this.allocator = allocator;
        this.dataset = dataset;
        this.model = model;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static OpenedRun open(String id, Path dir, Composition c, String recordedChecksum) throws IOException {
        Path checkpoint = dir.resolve("checkpoint");
        if (!Files.isDirectory(checkpoint)) {
            throw new IOException("run " + id + " has no checkpoint/ with its trained model (it did not complete, or"
                    + " its model cannot save itself)");
        }
        Rng root = new Rng(c.spec().seed());
        BufferAllocator allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
        Dataset dataset = null;
        Model model = null;
        try {
            dataset = ((DatasetProvider) c.dataset().registered().component()).open(c.dataset().config(),
                    new Context(root.split("dataset"), allocator, dir.resolve("outputs").resolve(c.dataset().id())));
            if (recordedChecksum != null && !recordedChecksum.equals(dataset.info().checksum())) {
                throw new IOException("the data of run " + id + " has changed since it ran: sha256 "
                        + dataset.info().checksum() + ", the run recorded " + recordedChecksum);
            }
            model = ((ModelFamily) c.model().registered().component()).create(c.model().config(), dataset.info(),
                    root.split("model"));
            Persistent persistent = model.as(Persistent.class).orElseThrow(() -> new IOException("the model of run "
                    + id + " ('" + c.model().name() + "') cannot load a saved state"));
            persistent.load(checkpoint);
            return new OpenedRunImpl(id, dir, c.spec(), allocator, dataset, model);
        } catch (IOException | RuntimeException e) {
            if (model != null) {
                model.close();
            }
            if (dataset != null) {
                dataset.close();
            }
            allocator.close();
            throw e;
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public ExperimentSpec spec() {
        return spec;
    }

    @Override
    public Dataset dataset() {
        return dataset;
    }

    @Override
    public Model model() {
        return model;
    }

    @Override
    public BufferAllocator allocator() {
        return allocator;
    }

    @Override
    public void close() {
        model.close();
        dataset.close();
        allocator.close();
    }

    /** What a dataset sees when it is opened again outside a run: the same stream, memory, nothing to log. */
    private record Context(Rng rng, BufferAllocator allocator, Path outputs) implements RunContext {
        @Override
        public void log(long step, Map<String, Double> values) {
        }

        @Override
        public void progress(long done, long total) {
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public Checkpoints checkpoints() {
            throw new IllegalStateException("a reopened run has no checkpoints to write");
        }

        @Override
        public Path outputDirectory() throws IOException {
            return Files.createDirectories(outputs);
        }
    }
}
