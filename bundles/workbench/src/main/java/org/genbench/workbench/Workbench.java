package org.genbench.workbench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.genbench.api.spec.ExperimentSpec;
import org.osgi.annotation.versioning.ProviderType;

/** The workbench: what front ends call. */
@ProviderType
public interface Workbench {
    /** Every installed component, by role and name, with its capabilities and bundle. */
    List<ComponentInfo> components();

    /** Parses a spec; fails with a message naming the offending field. */
    ExperimentSpec parseSpec(String json) throws SpecException;

    ExperimentSpec readSpec(Path file) throws SpecException, IOException;

    /**
     * Checks that every part of the spec is installed, that every config is valid, and that the model has the
     * capabilities the trainer, samplers and evaluators need. Nothing is written.
     */
    void check(ExperimentSpec spec) throws CompositionException;

    /**
     * Composes and runs the experiment, writing {@code runs/<id>/}. Composition problems are thrown before any
     * directory exists; failures during the run are recorded in the run's {@code run.json} and rethrown.
     */
    RunResult run(ExperimentSpec spec, RunListener listener) throws CompositionException, RunFailedException;

    /**
     * Runs an earlier run again in its own directory from its {@code spec.json}, the trainer continuing from the
     * newest checkpoint; a killed run so ends where an uninterrupted one would. {@code started} is kept and the
     * resumption's time added to {@code resumed}; the metrics log holds each step once. A completed run is left as
     * it is ({@link RunCompleteException}) unless {@code force}; a run whose process is still alive is refused.
     */
    RunResult resume(String runId, boolean force, RunListener listener) throws SpecException, IOException,
            CompositionException, RunFailedException, RunCompleteException;

    /** {@link #resume(String, boolean, RunListener)} without forcing. */
    default RunResult resume(String runId, RunListener listener) throws SpecException, IOException,
            CompositionException, RunFailedException, RunCompleteException {
        return resume(runId, false, listener);
    }

    /**
     * Asks a run under way in this workbench to stop; it ends {@code interrupted} at the component's next step (or is
     * abandoned after a grace period). Returns false if no such run is under way here. Interrupting the thread that
     * called {@link #run} does the same.
     */
    boolean cancel(String runId);

    /** The ids of the runs under way in this workbench. */
    List<String> activeRuns();

    /**
     * What is wrong with the installed plug-ins: bundles that did not resolve (with the missing imports) or start,
     * components that failed to activate, components shadowed by a newer version of their bundle.
     */
    List<String> pluginProblems();

    /**
     * Reopens completed run {@code runId} (a run id, or a unique part of one): its data and its trained model, loaded
     * from the run's checkpoint. Fails naming the reason when the run is unknown, did not complete, or its model
     * cannot save and load itself.
     */
    OpenedRun open(String runId) throws SpecException, IOException, CompositionException;

    /** Past runs, newest first. */
    List<RunSummary> runs() throws IOException;

    /** The workspace directory (specs, plugins, runs). */
    Path workspace();
}
