package org.genbench.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bin/genbench [--workspace DIR] [--features a,b] VERB ARGS...}. Verbs other than {@code shell} run inside
 * the framework through the shell bundle's {@link org.genbench.host.HostCommand}; {@code shell} opens the Gogo
 * console with the same verbs as {@code genbench:*} commands.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] argv) {
        int code;
        try {
            code = run(new ArrayList<>(Arrays.asList(argv)));
        } catch (Exception e) {
            System.err.println("genbench: " + e.getMessage());
            code = 2;
        }
        System.out.flush();
        System.err.flush();
        // ND4J leaves non-daemon threads behind; the framework is stopped, so leave explicitly.
        System.exit(code);
    }

    static int run(List<String> args) throws Exception {
        Path home = Path.of(System.getProperty("genbench.home", "."));
        Path workspace = home.resolve("workspace");
        List<String> features = new ArrayList<>(HostConfig.DEFAULT_FEATURES);
        String threads = null;
        Duration phaseTimeout = null;
        while (!args.isEmpty() && args.get(0).startsWith("--") && !args.get(0).equals("--help")) {
            String opt = args.remove(0);
            if (args.isEmpty()) {
                throw new IllegalArgumentException(opt + " needs a value");
            }
            switch (opt) {
                case "--workspace" -> workspace = Path.of(args.remove(0));
                case "--features" -> features = new ArrayList<>(List.of(args.remove(0).split(",")));
                case "--threads" -> threads = args.remove(0);
                case "--phase-timeout" -> phaseTimeout = seconds(opt, args.remove(0));
                default -> throw new IllegalArgumentException("unknown option " + opt
                        + " (known: --workspace, --features, --threads, --phase-timeout)");
            }
        }
        if (phaseTimeout == null && System.getenv("GENBENCH_PHASE_TIMEOUT") != null) {
            phaseTimeout = seconds("GENBENCH_PHASE_TIMEOUT", System.getenv("GENBENCH_PHASE_TIMEOUT"));
        }
        // Validated here so a bad value is a usage error before anything starts; Host.start applies it.
        HostThreads.Decision decided = HostThreads.decide(threads, Runtime.getRuntime().availableProcessors());
        if (threads != null && decided.note() != null) {
            System.err.println("genbench: " + decided.note());
        }
        int threadCount = decided.threads();
        if (args.isEmpty() || args.get(0).equals("help") || args.get(0).equals("--help")) {
            System.out.println(usage());
            return args.isEmpty() ? 1 : 0;
        }
        boolean shell = args.get(0).equals("shell");
        if (shell && !features.contains("console")) {
            features.add("console");
        }
        HostConfig config = new HostConfig(home, workspace, features, shell ? java.util.Map.of("gosh.args", "") : null,
                threads == null ? null : threadCount);
        if (phaseTimeout != null) {
            config = config.withPhaseTimeout(phaseTimeout);
        }
        try (Host host = Host.start(config).closeOnShutdown()) {
            if (shell) {
                host.commands(Duration.ofSeconds(60));
                System.out.println("genbench shell: commands genbench:run SPEC, genbench:list, genbench:runs; 'stop 0' to leave");
                host.waitForStop();
                return 0;
            }
            return host.execute(args, System.out, System.err);
        }
    }

    static Duration seconds(String option, String value) {
        try {
            double s = Double.parseDouble(value.trim());
            if (s > 0 && s <= 7 * 24 * 3600) {
                return Duration.ofMillis(Math.round(s * 1000));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a number of seconds from 0.001 to 604800 (a week), was '"
                + value + "'");
    }

    static String usage() {
        return """
                usage: genbench [--workspace DIR] [--features core,classic] [--threads N] [--phase-timeout S] VERB
                  run SPEC...   compose and run experiment specs (JSON), writing workspace/runs/<id>/
                  check SPEC... compose only: report missing components, bad settings, missing capabilities
                  list          installed components with their capabilities and bundle versions
                  resume [--force] RUN  continue RUN in its directory from its newest checkpoint (--force: rerun a completed run)
                  runs          past runs with their final metrics
                  compare RUN.. one table of several runs' metrics, mean and sd over runs that differ only by seed
                  doctor        check this machine: JVM, BLAS and its numerics (products, eigen, Cholesky, FID),
                                Jupyter, Fashion-MNIST, workspace; exit status 1 on any FAIL
                  shell         the Gogo console with the same verbs (genbench:run, genbench:list, ...)
                  notebook      Jupyter with the genbench Java kernel (bin/genbench notebook [--install-only])
                  bench         the benchmark command (bench/run.sh)
                --threads N          threads for ND4J/OpenMP/OpenBLAS (default: the cores available; env GENBENCH_THREADS)
                --phase-timeout S    fail a run whose phase (one component's call) takes longer (env GENBENCH_PHASE_TIMEOUT)
                Bundles dropped into WORKSPACE/plugins/ are installed and started while the workbench runs.""";
    }
}
