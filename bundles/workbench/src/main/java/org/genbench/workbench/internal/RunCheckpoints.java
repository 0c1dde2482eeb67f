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

    RunCheckpoints(Path dir, boolean resuming) {
        this.dir = dir;
        this.resuming = resuming;
    }

    @Override
    public void save(long step, Persistent model, Map<String, Object> trainerState) throws IOException {
        Path tmp = dir.resolve(".tmp-" + PREFIX + step);
        deleteTree(tmp);
        Files.createDirectories(tmp.resolve("model"));
        model.save(tmp.resolve("model"));
        Files.write(tmp.resolve("trainer.json"), Json.newMapper().writeValueAsBytes(trainerState));
        Path target = dir.resolve(PREFIX + step);
        deleteTree(target);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        List<Path> all = complete();
        for (Path old : all.subList(0, Math.max(0, all.size() - KEEP))) {
            deleteTree(old);
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
            return dirs.filter(d -> d.getFileName().toString().startsWith(PREFIX) && Files.isRegularFile(d.resolve("trainer.json")))
                    .sorted(Comparator.comparingLong(RunCheckpoints::step)).toList();
        }
    }

    private static long step(Path d) {
        return Long.parseLong(d.getFileName().toString().substring(PREFIX.length()));
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
