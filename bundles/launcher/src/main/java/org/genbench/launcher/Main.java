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
            System.err.println("genbench: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (System.getenv("GENBENCH_DEBUG") != null) {
                e.printStackTrace();
            }
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
        while (!args.isEmpty() && args.get(0).startsWith("--") && !isHelp(args.get(0))) {
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
        if (args.isEmpty() || args.get(0).equals("help") || isHelp(args.get(0))
                || (args.size() > 1 && isHelp(args.get(1)))) {
            System.out.println(usage());
            return args.isEmpty() ? 1 : 0;
        }
        HostConfig base = new HostConfig(home, workspace, features, null, threads == null ? null : threadCount);
        if (phaseTimeout != null) {
            base = base.withPhaseTimeout(phaseTimeout);
        }
        if (args.get(0).equals("new-plugin")) {
            return NewPlugin.run(args.subList(1, args.size()), home, System.out);
        }
        if (args.get(0).equals("serve")) {
            Serve serve = Serve.parse(args.subList(1, args.size()));
            try (Host host = Host.start(serve.configure(base)).closeOnShutdown()) {
                host.commands(Duration.ofSeconds(60));
                serve.awaitReady(30_000, System.err);
                System.out.println("genbench dashboard: " + serve.url());
                if (!serve.loopback()) {
                    System.out.println("  bound to " + serve.bind() + ": reachable from other machines"
                            + (serve.token().equals("none") ? " WITHOUT a token" : " (with the token)"));
                }
                System.out.println("  workspace " + workspace.toAbsolutePath().normalize() + "; Ctrl-C to stop");
                host.waitForStop();
                return 0;
            }
        }
        if (args.get(0).equals("sweep") && args.contains("--spark")) {
            List<String> rest = new ArrayList<>(args.subList(1, args.size()));
            int at = rest.indexOf("--spark");
            if (at + 1 >= rest.size()) {
                throw new IllegalArgumentException("--spark needs a master: local[2], spark://host:7077, yarn");
            }
            String master = rest.get(at + 1);
            rest.subList(at, at + 2).clear();
            if (rest.size() != 1 || rest.get(0).startsWith("--")) {
                throw new IllegalArgumentException("usage: sweep --spark MASTER SPEC");
            }
            Path spec = Path.of(rest.get(0));
            if (!spec.isAbsolute() && !java.nio.file.Files.exists(spec)
                    && java.nio.file.Files.exists(workspace.resolve("experiments").resolve(rest.get(0)))) {
                spec = workspace.resolve("experiments").resolve(rest.get(0));
            }
            try (Host host = Host.start(base).closeOnShutdown()) {
                host.commands(Duration.ofSeconds(60));
                return SparkSweeps.sweep(master, host, base, spec.toAbsolutePath(), System.out, System.err);
            }
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

    static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h");
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
                usage: genbench [--workspace DIR] [--features F,...] [--threads N] [--phase-timeout S] VERB
                  run SPEC...   compose and run experiment specs (JSON), writing workspace/runs/<id>/
                  check SPEC... compose only: report missing components, bad settings, missing capabilities
                  list          installed components with their capabilities and bundle versions
                  resume [--force] RUN  continue RUN in its directory from its newest checkpoint (--force: rerun a completed run)
                  runs          past runs with their final metrics
                  compare RUN.. one table of several runs' metrics, mean and sd over runs that differ only by seed
                  compress RUN  code RUN's data with its exact-likelihood model into a .gbz file (--split, --examples,
                                --out); decompress FILE.gbz decodes it back with the run's model to Arrow IPC
                  sweep [--parallel N] SPEC
                                the runs of a sweep spec (seeds x grid/list of settings) that have not completed, then
                                the compare table (mean ± sd over seeds) and a plot in workspace/sweeps/<name>/
                  sweep --spark MASTER SPEC   the same on Apache Spark (local[N], spark://..., yarn)
                  doctor        check this machine: JVM, BLAS and its numerics (products, eigen, Cholesky, FID),
                                Jupyter, Fashion-MNIST, workspace; exit status 1 on any FAIL
                  shell         the Gogo console with the same verbs (genbench:run, genbench:list, ...)
                  serve         the web dashboard on http://127.0.0.1:8077/?token=... (serve [--port N] [--bind ADDR] [--no-token])
                  new-plugin NAME [--dir DIR] [--package P]
                                a standalone Maven project for a plug-in bundle, built against the published api
                  notebook      Jupyter with the genbench Java kernel (bin/genbench notebook [--install-only])
                  bench         the benchmark command (bench/run.sh)
                --features F,...     bundle sets from features/ (default: every one but console and web, which
                                     shell and serve add): core, data, classic, deep, eval, ...
                --threads N          threads for ND4J/OpenMP/OpenBLAS (default: the cores available; env GENBENCH_THREADS)
                --phase-timeout S    fail a run whose phase (one component's call) takes longer (env GENBENCH_PHASE_TIMEOUT)
                Bundles dropped into WORKSPACE/plugins/ are installed and started while the workbench runs.""";
    }
}
