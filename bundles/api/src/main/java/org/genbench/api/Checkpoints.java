package org.genbench.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A run's checkpoints, kept by the workbench under {@code runs/<id>/checkpoints/step-<n>/}. Each holds the model's
 * full state ({@link Persistent#save}: weights and optimizer state) and the trainer's own state (step, counters,
 * schedules) as JSON values. A checkpoint is written to a temporary name and renamed, so it is whole or absent.
 *
 * <p>To resume to exactly the numbers of an uninterrupted run, a trainer draws its randomness per step from
 * {@code context.rng().split(step)} (not from one long stream whose position would be lost), and on start asks
 * {@link #latest()}: when present, it loads the model from it and continues after its step.
 */
@ProviderType
public interface Checkpoints {
    /** Saves checkpoint {@code step}; keeps the newest few and deletes older ones. */
    void save(long step, Persistent model, Map<String, Object> trainerState) throws IOException;

    /** The newest complete checkpoint when this run is a resumption; empty for a fresh run. */
    Optional<Restored> latest() throws IOException;

    /** A checkpoint to resume from. */
    record Restored(long step, Map<String, Object> trainerState, Path modelDirectory) {
        public Restored {
            trainerState = Map.copyOf(trainerState);
        }

        /** Loads the model's saved state into {@code model}; fails loudly if anything is missing. */
        public void restore(Persistent model) throws IOException {
            model.load(modelDirectory);
        }
    }
}
