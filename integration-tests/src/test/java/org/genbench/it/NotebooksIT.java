package org.genbench.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.genbench.kernel.KernelSpec;
import org.genbench.notebook.Samples;
import org.genbench.testing.Required;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every notebook in workspace/notebooks/ executed headless by real Jupyter (nbconvert) on the genbench kernel,
 * failing on any cell error; then what they show (tables with metric names, images), the same experiment from
 * the CLI giving identical metrics, and the run's Arrow files read by Apache Arrow's JavaScript implementation.
 *
 * <p>Without Jupyter (or Node and integration-tests/arrow-js/node_modules) the affected tests are skipped, saying
 * why, unless CI=true (or -Dgenbench.required=true), where a missing tool is a failure: the one skip policy of
 * {@link Required}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotebooksIT {
    static final String PYTHON = Required.PYTHON;
    static final Path NOTEBOOKS = TestHost.HOME.resolve("workspace/notebooks");
    static final Path ARROW_JS = TestHost.HOME.resolve("integration-tests/arrow-js");

    @TempDir
    static Path scratch;
    static Path jupyterPath;
    static String missing;
    /** Executed notebooks by name (quickstart, ...), as nbconvert wrote them. */
    static final Map<String, JsonNode> executed = new LinkedHashMap<>();

    @BeforeAll
    static void installKernel() throws Exception {
        missing = missingJupyter();
        if (missing == null) {
            // The kernel spec goes to a scratch JUPYTER_PATH, through the installer bin/genbench notebook uses.
            jupyterPath = Files.createDirectories(scratch.resolve("jupyter"));
            KernelSpec.install(jupyterPath.resolve("kernels"), TestHost.HOME);
        } else if (!Required.strict()) {
            System.out.println("NotebooksIT: notebook tests will be skipped: " + missing);
        }
    }

    /** Skips the calling test, saying why, when Jupyter is absent; fails instead when it is required (CI). */
    static void requireJupyter() {
        Required.check(missing, "apt-get install jupyter-notebook jupyter-nbconvert python3-ipykernel python3-nbclient");
    }

    static String missingJupyter() {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return PYTHON + " is missing";
        }
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import nbconvert, nbclient, jupyter_client").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? null : "Jupyter is not installed for " + PYTHON + ": " + out.strip();
        } catch (IOException | InterruptedException e) {
            return "cannot run " + PYTHON + ": " + e.getMessage();
        }
    }

    /** Executes one notebook in its own workspace; fails with nbconvert's report (the failing cell) on any error. */
    static JsonNode execute(String name) throws Exception {
        requireJupyter();
        if (executed.containsKey(name)) {
            return executed.get(name);
        }
        Path workspace = Files.createDirectories(scratch.resolve("ws-" + name));
        Path out = Files.createDirectories(scratch.resolve("executed"));
        ProcessBuilder pb = new ProcessBuilder(PYTHON, "-m", "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.kernel_name=" + KernelSpec.NAME, "--ExecutePreprocessor.timeout=600",
                "--output-dir", out.toString(), NOTEBOOKS.resolve(name + ".ipynb").toString())
                .directory(NOTEBOOKS.toFile()).redirectErrorStream(true)
                .redirectOutput(scratch.resolve(name + ".nbconvert.log").toFile());
        pb.environment().put("JUPYTER_PATH", jupyterPath.toString());
        pb.environment().put("GENBENCH_HOME", TestHost.HOME.toString());
        pb.environment().put("GENBENCH_WORKSPACE", workspace.toString());
        Process p = pb.start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(name + ".ipynb did not finish within 15 minutes");
        }
        String log = Files.readString(scratch.resolve(name + ".nbconvert.log"));
        assertEquals(0, p.exitValue(), () -> name + ".ipynb failed to execute:\n" + tail(log, 6000));
        JsonNode nb = TestHost.read(out.resolve(name + ".ipynb"));
        for (JsonNode cell : nb.path("cells")) {
            for (JsonNode o : cell.path("outputs")) {
                assertFalse(o.path("output_type").asText().equals("error"),
                        () -> name + ": a cell failed: " + o.path("ename").asText() + ": " + o.path("evalue").asText());
            }
        }
        executed.put(name, nb);
        return nb;
    }

    static Path workspace(String notebook) {
        return scratch.resolve("ws-" + notebook);
    }

    @Test
    @Order(1)
    void everyNotebookInTheWorkspaceIsTested() throws IOException {
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ipynb")).sorted().toList();
            assertEquals(List.of("hot-plugin.ipynb", "model-comparison.ipynb", "quickstart.ipynb"), names,
                    "a new notebook needs its checks here");
        }
    }

    @Test
    @Order(2)
    void quickstartTrainsTwoFamiliesAndShowsTablesAndPictures() throws Exception {
        JsonNode nb = execute("quickstart");
        List<String> html = data(nb, "text/html");
        assertTrue(html.stream().anyMatch(h -> h.contains("<th>metric</th>") && h.contains("test_loglik")
                && h.contains("train_loglik")), "a metrics table with the metric names");
        String comparison = html.stream().filter(h -> h.contains("<th>loglik/test_loglik</th>")).findFirst()
                .orElseThrow(() -> new AssertionError("no comparison table"));
        assertTrue(comparison.contains("quickstart-gmm") && comparison.contains("quickstart-gaussian"), comparison);
        assertTrue(html.stream().anyMatch(h -> h.contains("<td>model</td><td>gmm</td>")), "components listed");
        List<BufferedImage> images = images(nb);
        assertTrue(images.size() >= 3, "sample grid, scatter and training curves: " + images.size());
        assertTrue(images.stream().allMatch(i -> i.getWidth() > 100 && i.getHeight() > 100), "real pictures");

        // The numbers the notebook showed are the run's: the mixture beats one Gaussian on eight Gaussians by far.
        Path gmm = runDir(workspace("quickstart"), "quickstart-gmm");
        Path gaussian = runDir(workspace("quickstart"), "quickstart-gaussian");
        double a = TestHost.metric(gmm, "loglik", "test_loglik");
        double b = TestHost.metric(gaussian, "loglik", "test_loglik");
        assertTrue(a > b + 0.5, "gmm " + a + " vs gaussian " + b);
        assertTrue(comparison.contains(String.format(java.util.Locale.ROOT, "%.4f", a)), "shown value " + a);
        assertFalse(Files.exists(workspace("quickstart").resolve("plugins/model.gaussian-0.1.0-SNAPSHOT.jar")),
                "the notebook removes the plug-in it installed");
    }

    @Test
    @Order(3)
    void theSameExperimentFromTheCliGivesIdenticalMetrics() throws Exception {
        JsonNode nb = execute("quickstart");
        // The spec exactly as the notebook built and printed it (Experiment.json()), run by the CLI.
        String spec = streams(nb).stream().map(String::strip)
                .filter(s -> s.startsWith("{") && s.contains("\"name\" : \"quickstart-gmm\""))
                .findFirst().orElseThrow(() -> new AssertionError("the notebook printed no spec"));
        Path cliWorkspace = Files.createDirectories(scratch.resolve("ws-cli"));
        Path specFile = Files.writeString(scratch.resolve("quickstart-gmm.json"), spec);
        Path launcher = TestHost.HOME.resolve("bundles/launcher/target");
        // bin/genbench's command line, without its build step.
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dgenbench.home=" + TestHost.HOME,
                "-cp", launcher.resolve("launcher.jar") + File.pathSeparator + launcher.resolve("lib") + File.separator + "*",
                "org.genbench.launcher.Main", "--workspace", cliWorkspace.toString(), "run", specFile.toString())
                .redirectErrorStream(true).start();
        String cliOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), cliOut);

        Path fromNotebook = runDir(workspace("quickstart"), "quickstart-gmm");
        Path fromCli = runDir(cliWorkspace, "quickstart-gmm");
        JsonNode nbMetrics = TestHost.read(fromNotebook.resolve("metrics.json")).path("metrics");
        JsonNode cliMetrics = TestHost.read(fromCli.resolve("metrics.json")).path("metrics");
        assertTrue(nbMetrics.size() >= 10, nbMetrics::toString);
        assertEquals(cliMetrics, nbMetrics, "metrics of the notebook run and the CLI run");
        for (String sampler : new String[] {"ancestral", "mala"}) {
            assertEquals(-1, Files.mismatch(fromNotebook.resolve("samples/" + sampler + ".arrow"),
                    fromCli.resolve("samples/" + sampler + ".arrow")), sampler + " samples are bit-identical");
        }
        assertEquals(TestHost.read(fromNotebook.resolve("spec.json")), TestHost.read(fromCli.resolve("spec.json")));
    }

    @Test
    @Order(4)
    void runOutputsReadByArrowJavaScriptMatchJava() throws Exception {
        execute("quickstart");
        Path node = Path.of("/usr/bin/node");
        String missing = !Files.isExecutable(node) ? "node is missing"
                : !Files.isDirectory(ARROW_JS.resolve("node_modules/apache-arrow"))
                ? "apache-arrow is not installed (cd integration-tests/arrow-js && npm ci)" : null;
        Required.check(missing, "apt-get install nodejs; cd integration-tests/arrow-js && npm ci");
        Path run = runDir(workspace("quickstart"), "quickstart-gmm");
        List<Path> files = List.of(run.resolve("samples/ancestral.arrow"), run.resolve("samples/mala.arrow"));
        List<String> cmd = new ArrayList<>(List.of(node.toString(), ARROW_JS.resolve("check.mjs").toString()));
        files.forEach(f -> cmd.add(f.toString()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        JsonNode report = TestHost.JSON.readTree(out);
        assertEquals(files.size(), report.size());
        for (int f = 0; f < files.size(); f++) {
            JsonNode js = report.get(f);
            Samples java = Samples.read(files.get(f), "x");
            JsonNode x = js.path("columns").get(0);
            assertEquals("x", x.path("name").asText());
            assertEquals(java.rows(), js.path("rows").asInt());
            assertEquals(java.width(), x.path("listSize").asInt());
            assertEquals(java.rows() + "," + java.width(), x.path("metadata").path("genbench.shape").asText().replaceAll("[\\[\\] ]", ""));
            assertTrue(x.path("type").asText().startsWith("FixedSizeList[" + java.width() + "]<Float"), x.path("type").asText());
            double[] values = java.values();
            assertEquals(values.length, x.path("values").size());
            for (int i = 0; i < values.length; i++) {
                // exact: both sides widen the same stored float to a double
                assertEquals(values[i], x.path("values").get(i).asDouble(), 0.0, files.get(f) + " value " + i);
            }
        }
    }

    @Test
    @Order(5)
    void modelComparisonPlotsATableAcrossSeeds() throws Exception {
        JsonNode nb = execute("model-comparison");
        List<String> html = data(nb, "text/html");
        String summary = html.stream().filter(h -> h.contains("<th>loglik/test_loglik mean</th>")).findFirst()
                .orElseThrow(() -> new AssertionError("no summary table"));
        for (String model : new String[] {"compare-gmm1", "compare-gmm4", "compare-gmm8"}) {
            assertTrue(summary.contains("<td>" + model + "</td>"), summary);
        }
        assertTrue(html.stream().anyMatch(h -> h.contains("<th>metric</th>") && h.contains("test_loglik")));
        assertTrue(images(nb).size() >= 2, "the bar plot and the sample grid");
        // Nine runs; more components fit eight Gaussians better, on every seed.
        try (Stream<Path> runs = Files.list(workspace("model-comparison").resolve("runs"))) {
            Map<String, List<Double>> byModel = new LinkedHashMap<>();
            for (Path r : runs.sorted().toList()) {
                String name = TestHost.read(r.resolve("run.json")).path("name").asText();
                byModel.computeIfAbsent(name, k -> new ArrayList<>()).add(TestHost.metric(r, "loglik", "test_loglik"));
            }
            assertEquals(3, byModel.get("compare-gmm1").size());
            double worst8 = byModel.get("compare-gmm8").stream().mapToDouble(d -> d).min().orElseThrow();
            double best1 = byModel.get("compare-gmm1").stream().mapToDouble(d -> d).max().orElseThrow();
            assertTrue(worst8 > best1, "8 components " + worst8 + " vs 1 component " + best1);
        }
    }

    @Test
    @Order(6)
    void hotPluginNotebookInstallsUsesAndRemovesAPlugin() throws Exception {
        JsonNode nb = execute("hot-plugin");
        String text = String.join("\n", streams(nb));
        assertTrue(text.contains("org.genbench.model.gaussian installed"), text);
        assertTrue(text.contains("sampler 'hmc' needs Energy, but model 'gaussian' provides only"), text);
        assertTrue(text.contains("org.genbench.model.gaussian uninstalled"), text);
        // After the removal the message lists the installed models (the default features' ones), gaussian not among them.
        java.util.regex.Matcher gone = java.util.regex.Pattern.compile("unknown model 'gaussian'; installed models: ([a-z0-9, -]*)").matcher(text);
        assertTrue(gone.find(), text);
        assertTrue(List.of(gone.group(1).split(", ")).contains("gmm") && !List.of(gone.group(1).split(", ")).contains("gaussian"), text);
        List<String> html = data(nb, "text/html");
        assertTrue(html.stream().anyMatch(h -> h.contains("<td>gaussian</td>") && h.contains("<td>gmm</td>")),
                "both families listed while the plug-in is in");
        assertTrue(html.stream().anyMatch(h -> h.contains("<th>metric</th>") && h.contains("test_loglik")));
        assertFalse(images(nb).isEmpty(), "the run's samples picture");
        Path run = runDir(workspace("hot-plugin"), "hot-gaussian");
        assertEquals("completed", TestHost.read(run.resolve("run.json")).path("status").asText());
        assertTrue(TestHost.read(run.resolve("provenance.json")).path("bundles").has("org.genbench.model.gaussian"));
    }

    @Test
    @Order(7)
    void aFailingCellFailsTheExecutionWithTheCellsError() throws Exception {
        requireJupyter();
        // What makes the checks above meaningful: the genbench kernel reports a cell's exception as an error, so
        // nbconvert stops and fails instead of writing a notebook with a silent failure in it.
        Path broken = Files.writeString(scratch.resolve("broken.ipynb"), """
                {"cells": [
                  {"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": null, "outputs": [],
                   "source": "int x = 1;"},
                  {"cell_type": "code", "id": "c2", "metadata": {}, "execution_count": null, "outputs": [],
                   "source": "Experiment.named(\\"no spaces allowed\\")"},
                  {"cell_type": "code", "id": "c3", "metadata": {}, "execution_count": null, "outputs": [],
                   "source": "x + 1"}],
                 "metadata": {"kernelspec": {"name": "genbench", "display_name": "Java (genbench)", "language": "java"}},
                 "nbformat": 4, "nbformat_minor": 5}
                """);
        ProcessBuilder pb = new ProcessBuilder(PYTHON, "-m", "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.kernel_name=" + KernelSpec.NAME, "--output-dir", scratch.resolve("executed-broken").toString(),
                broken.toString()).redirectErrorStream(true);
        pb.environment().put("JUPYTER_PATH", jupyterPath.toString());
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(1, p.exitValue(), log);
        assertTrue(log.contains("CellExecutionError"), log);
        assertTrue(log.contains("an experiment name must match [A-Za-z0-9._-]+, was 'no spaces allowed'"), log);
    }

    /** Every output's value for one MIME type (execute results and display data). */
    static List<String> data(JsonNode nb, String mime) {
        List<String> out = new ArrayList<>();
        for (JsonNode cell : nb.path("cells")) {
            for (JsonNode o : cell.path("outputs")) {
                JsonNode d = o.path("data").path(mime);
                if (!d.isMissingNode()) {
                    out.add(text(d));
                }
            }
        }
        return out;
    }

    static List<String> streams(JsonNode nb) {
        List<String> out = new ArrayList<>();
        for (JsonNode cell : nb.path("cells")) {
            for (JsonNode o : cell.path("outputs")) {
                if (o.path("output_type").asText().equals("stream")) {
                    out.add(text(o.path("text")));
                }
            }
        }
        return out;
    }

    static List<BufferedImage> images(JsonNode nb) throws IOException {
        List<BufferedImage> out = new ArrayList<>();
        for (String b64 : data(nb, "image/png")) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getMimeDecoder().decode(b64)));
            assertTrue(img != null, "image/png output is not a PNG");
            out.add(img);
        }
        return out;
    }

    /** nbformat stores multi-line strings as arrays of lines. */
    static String text(JsonNode n) {
        if (n.isArray()) {
            StringBuilder sb = new StringBuilder();
            n.forEach(l -> sb.append(l.asText()));
            return sb.toString();
        }
        return n.asText();
    }

    static Path runDir(Path workspace, String name) throws IOException {
        try (Stream<Path> dirs = Files.list(workspace.resolve("runs"))) {
            List<Path> m = dirs.filter(d -> d.getFileName().toString().endsWith("-" + name)).toList();
            assertEquals(1, m.size(), () -> "runs named " + name + " in " + workspace + ": " + m);
            return m.get(0);
        }
    }

    static String tail(String s, int n) {
        return s.length() <= n ? s : "..." + s.substring(s.length() - n);
    }
}
