package org.genbench.workbench.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.genbench.api.Checkpoints;
import org.genbench.api.Persistent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCheckpointsTest {
    /** A model whose whole state is one number. */
    static final class Counter implements Persistent {
        long value;

        public void save(Path d) throws IOException {
            Files.writeString(d.resolve("value"), Long.toString(value));
        }

        public void load(Path d) throws IOException {
            value = Long.parseLong(Files.readString(d.resolve("value")));
        }
    }

    @Test
    void resumeFindsTheNewestCompleteCheckpointAndOnlyTheNewestAreKept(@TempDir Path dir) throws Exception {
        Counter model = new Counter();
        RunCheckpoints fresh = new RunCheckpoints(dir, false);
        for (long step = 1; step <= 5; step++) {
            model.value = step * 10;
            fresh.save(step, model, Map.of("step", step, "lr", 0.5));
        }
        assertTrue(fresh.latest().isEmpty(), "a fresh run never resumes from old checkpoints");
        Files.createDirectories(dir.resolve("step-9/model")); // a checkpoint without trainer.json is incomplete

        Checkpoints.Restored r = new RunCheckpoints(dir, true).latest().orElseThrow();
        assertEquals(5, r.step());
        assertEquals(0.5, ((Number) r.trainerState().get("lr")).doubleValue());
        Counter restored = new Counter();
        r.restore(restored);
        assertEquals(50, restored.value);
        try (var dirs = Files.list(dir)) {
            assertEquals(RunCheckpoints.KEEP + 1, dirs.count(), "three kept, plus the incomplete one");
        }
    }
}
