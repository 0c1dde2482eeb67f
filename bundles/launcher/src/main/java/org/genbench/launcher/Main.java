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
        while (!args.isEmpty() && args.get(0).startsWith("--") && !isHelp(args.get(0))) {
            String opt = args.remove(0);
            if (args.isEmpty()) {
                throw new IllegalArgumentException(opt + " needs a value");
            }
            switch (opt) {
                case "--workspace" -> workspace = Path.of(args.remove(0));
                case "--features" -> features = new ArrayList<>(List.of(args.remove(0).split(",")));
                default -> throw new IllegalArgumentException("unknown option " + opt + " (known: --workspace, --features)");
            }
        }
        if (args.isEmpty() || args.get(0).equals("help") || isHelp(args.get(0))
                || (args.size() > 1 && isHelp(args.get(1)))) {
            System.out.println(usage());
            return args.isEmpty() ? 1 : 0;
        }
        if (args.get(0).equals("new-plugin")) {
            return NewPlugin.run(args.subList(1, args.size()), home, System.out);
        }
        if (args.get(0).equals("serve")) {
            Serve serve = Serve.parse(args.subList(1, args.size()));
            try (Host host = Host.start(serve.configure(new HostConfig(home, workspace, features, null)))) {
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
            HostConfig config = new HostConfig(home, workspace, features, null);
            try (Host host = Host.start(config)) {
                host.commands(Duration.ofSeconds(60));
                return SparkSweeps.sweep(master, host, config, spec.toAbsolutePath(), System.out, System.err);
            }
        }
        boolean shell = args.get(0).equals("shell");
        if (shell && !features.contains("console")) {
            features.add("console");
        }
        HostConfig config = new HostConfig(home, workspace, features, shell ? java.util.Map.of("gosh.args", "") : null);
        try (Host host = Host.start(config)) {
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

    static String usage() {
        return """
                usage: genbench [--workspace DIR] [--features F,...] VERB
                  run SPEC...   compose and run experiment specs (JSON), writing workspace/runs/<id>/
                  check SPEC... compose only: report missing components, bad settings, missing capabilities
                  list          installed components with their capabilities and bundle versions
                  resume RUN    rerun RUN in its directory, the trainer continuing from its newest checkpoint
                  runs          past runs with their final metrics
                  compare RUN.. one table of several runs' metrics, mean and sd over runs that differ only by seed
                  sweep [--parallel N] SPEC
                                the runs of a sweep spec (seeds x grid/list of settings) that have not completed, then
                                the compare table (mean ± sd over seeds) and a plot in workspace/sweeps/<name>/
                  sweep --spark MASTER SPEC   the same on Apache Spark (local[N], spark://..., yarn)
                  shell         the Gogo console with the same verbs (genbench:run, genbench:list, ...)
                  serve         the web dashboard on http://127.0.0.1:8077/?token=... (serve [--port N] [--bind ADDR] [--no-token])
                  new-plugin NAME [--dir DIR] [--package P]
                                a standalone Maven project for a plug-in bundle, built against the published api
                  notebook      Jupyter with the genbench Java kernel (bin/genbench notebook [--install-only])
                  bench         the benchmark command (bench/run.sh)
                --features F,...     bundle sets from features/ (default: every one but console and web, which
                                     shell and serve add): core, data, classic, deep, eval, ...
                Bundles dropped into WORKSPACE/plugins/ are installed and started while the workbench runs.""";
    }
}
