package org.genbench.workbench.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.genbench.api.Checkpoints;
import org.genbench.api.Persistent;

/**
 * {@code runs/<id>/checkpoints/step-<n>/{model/, trainer.json}}, each written under a temporary name and renamed,
 * the newest {@value #KEEP} kept. {@link #latest()} answers only when the run is being resumed, so a fresh run
 * never picks up a stale checkpoint.
 */
final class RunCheckpoints implements Checkpoints {
    static final int KEEP = 3;
    private static final String PREFIX = "step-";

    private final Path dir;
    private final boolean resuming;
    private final BooleanSupplier stopped;

    RunCheckpoints(Path dir, boolean resuming) {
        this(dir, resuming, () -> false);
    }

    /** @param stopped true once the run must stop: a state saved after a divergence or a cancel is not trusted */
    RunCheckpoints(Path dir, boolean resuming, BooleanSupplier stopped) {
        this.dir = dir;
        this.resuming = resuming;
        this.stopped = stopped;
    }

    /**
     * Saves checkpoint {@code step} under a temporary name and renames it; a failed write (a full disk) removes the
     * temporary, so only whole checkpoints are ever found. Refused once the run must stop.
     */
    @Override
    public void save(long step, Persistent model, Map<String, Object> trainerState) throws IOException {
        if (stopped.getAsBoolean()) {
            throw new IllegalStateException("the run is stopping; checkpoint " + step + " was not saved");
        }
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, was " + step);
        }
        Path tmp = dir.resolve(".tmp-" + PREFIX + step);
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp.resolve("model"));
            model.save(tmp.resolve("model"));
            Files.write(tmp.resolve("trainer.json"), Json.newMapper().writeValueAsBytes(trainerState));
            Path target = dir.resolve(PREFIX + step);
            deleteTree(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                deleteTree(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        List<Path> all = complete();
        for (Path old : all.subList(0, Math.max(0, all.size() - KEEP))) {
            deleteTree(old);
        }
    }

    /** The step of the checkpoint a resumption continues from, if this run is being resumed and has one. */
    Optional<Long> latestStep() throws IOException {
        return resuming ? latestComplete() : Optional.empty();
    }

    /** The newest complete checkpoint's step, resuming or not. */
    Optional<Long> latestComplete() throws IOException {
        List<Path> all = complete();
        return all.isEmpty() ? Optional.empty() : Optional.of(step(all.get(all.size() - 1)));
    }

    /** Removes checkpoints at or after {@code step} (a diverged run's untrusted states) and unfinished ones. */
    void dropFrom(long step) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(dir)) {
            for (Path d : dirs.toList()) {
                String name = d.getFileName().toString();
                if (name.startsWith(".tmp-") || name.startsWith(PREFIX) && parse(name) >= step) {
                    deleteTree(d);
                }
            }
        }
    }

    @Override
    public Optional<Restored> latest() throws IOException {
        if (!resuming) {
            return Optional.empty();
        }
        List<Path> all = complete();
        if (all.isEmpty()) {
            return Optional.empty();
        }
        Path newest = all.get(all.size() - 1);
        Map<String, Object> state = Json.newMapper().readValue(newest.resolve("trainer.json").toFile(),
                new TypeReference<Map<String, Object>>() { });
        return Optional.of(new Restored(step(newest), state, newest.resolve("model")));
    }

    /** Complete checkpoints, oldest first. */
    private List<Path> complete() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(dir)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith(PREFIX) && parse(d.getFileName().toString()) >= 0
                            && Files.isRegularFile(d.resolve("trainer.json")))
                    .sorted(Comparator.comparingLong(RunCheckpoints::step)).toList();
        }
    }

    private static long step(Path d) {
        return parse(d.getFileName().toString());
    }

    /** The step in {@code step-<n>}, or -1 for a name that is not one. */
    private static long parse(String name) {
        try {
            return Long.parseLong(name.substring(PREFIX.length()));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return -1;
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
