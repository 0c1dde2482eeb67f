package org.genbench.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Checkpoints;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.RunContext;

/**
 * The runner's side of a run for a plug-in's unit tests: a seeded stream, the test's allocator, and a record of
 * what the component logged and reported. Checkpoints go to a temporary directory with the workbench's layout,
 * so a test can stop a trainer, make a fresh context over the same directory with {@link #resumeFrom} and check
 * that it continues where it left off.
 */
public class TestRunContext implements RunContext {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Rng rng;
    private final BufferAllocator allocator;
    private Path checkpointDir;
    private final boolean resuming;
    private long checks;
    private long cancelAfterChecks = Long.MAX_VALUE;

    /** Steps and values passed to {@link #log}, in order. */
    public final List<Long> steps = new ArrayList<>();
    public final List<Map<String, Double>> logged = new ArrayList<>();
    /** Every progress report as {done, total}. */
    public final List<long[]> progress = new ArrayList<>();
    public long lastDone = -1;
    public long lastTotal = -1;
    /** Set to ask the component to stop. */
    public volatile boolean cancelled;

    public TestRunContext(long seed, BufferAllocator allocator) {
        this(new Rng(seed), allocator);
    }

    public TestRunContext(Rng rng, BufferAllocator allocator) {
        this(rng, allocator, null, false);
    }

    private TestRunContext(Rng rng, BufferAllocator allocator, Path checkpointDir, boolean resuming) {
        this.rng = rng;
        this.allocator = allocator;
        this.resuming = resuming;
        this.checkpointDir = checkpointDir;
    }

    /** Created on first use, so tests that never checkpoint leave nothing behind. */
    private Path checkpointDir() throws IOException {
        if (checkpointDir == null) {
            checkpointDir = Files.createTempDirectory("genbench-test-checkpoints");
        }
        return checkpointDir;
    }

    /** A context that resumes from the checkpoints {@code previous} wrote, with the same seed. */
    public static TestRunContext resumeFrom(TestRunContext previous, BufferAllocator allocator) {
        try {
            return new TestRunContext(new Rng(previous.rng.seed()), allocator, previous.checkpointDir(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reports cancelled from the {@code n+1}-th call of {@link #isCancelled()} on. */
    public TestRunContext cancelAfterChecks(long n) {
        this.cancelAfterChecks = n;
        return this;
    }

    @Override
    public Rng rng() {
        return rng;
    }

    @Override
    public BufferAllocator allocator() {
        return allocator;
    }

    @Override
    public void log(long step, Map<String, Double> values) {
        steps.add(step);
        logged.add(Map.copyOf(values));
    }

    @Override
    public void progress(long done, long total) {
        progress.add(new long[] {done, total});
        lastDone = done;
        lastTotal = total;
    }

    @Override
    public boolean isCancelled() {
        return cancelled || ++checks > cancelAfterChecks;
    }

    @Override
    public Path outputDirectory() throws IOException {
        return Files.createDirectories(checkpointDir().resolveSibling(checkpointDir().getFileName() + "-outputs"));
    }

    @Override
    public Checkpoints checkpoints() {
        return new Checkpoints() {
            @Override
            public void save(long step, Persistent model, Map<String, Object> trainerState) throws IOException {
                Path tmp = Files.createDirectories(checkpointDir().resolve(".tmp-step-" + step));
                Files.createDirectories(tmp.resolve("model"));
                model.save(tmp.resolve("model"));
                JSON.writeValue(tmp.resolve("trainer.json").toFile(), trainerState);
                Files.move(tmp, checkpointDir().resolve("step-" + step));
            }

            @Override
            public Optional<Restored> latest() throws IOException {
                if (!resuming) {
                    return Optional.empty();
                }
                try (Stream<Path> dirs = Files.list(checkpointDir())) {
                    Optional<Path> newest = dirs.filter(d -> d.getFileName().toString().startsWith("step-"))
                            .max(Comparator.comparingLong(TestRunContext::stepOf));
                    if (newest.isEmpty()) {
                        return Optional.empty();
                    }
                    Map<String, Object> state = JSON.readValue(newest.get().resolve("trainer.json").toFile(),
                            new TypeReference<Map<String, Object>>() { });
                    return Optional.of(new Restored(stepOf(newest.get()), state, newest.get().resolve("model")));
                }
            }
        };
    }

    private static long stepOf(Path dir) {
        return Long.parseLong(dir.getFileName().toString().substring("step-".length()));
    }
}
