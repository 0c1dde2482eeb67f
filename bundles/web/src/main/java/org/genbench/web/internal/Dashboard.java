package org.genbench.web.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.genbench.api.spec.ExperimentSpec;
import org.genbench.workbench.ComponentInfo;
import org.genbench.workbench.CompositionException;
import org.genbench.workbench.RunFailedException;
import org.genbench.workbench.RunSummary;
import org.genbench.workbench.SpecException;
import org.genbench.workbench.Workbench;
import org.genbench.workbench.compare.Comparison;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The dashboard: one servlet on the HTTP Whiteboard serving the page ({@code /}, {@code /static/*}) and its JSON
 * API ({@code /api/*}). Every request must carry the access token ({@link Token}); Felix HTTP binds to the address
 * the launcher gives it ({@code bin/genbench serve}: 127.0.0.1 unless told otherwise).
 *
 * <p>The page reads runs from the run store (so runs of other processes on the same workspace show too), shows
 * live progress for runs it launched, and launches through the same {@link Workbench} service the CLI uses.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/*")
public final class Dashboard extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String TOKEN_PROPERTY = "genbench.web.token";
    /** Largest spec accepted from the page. */
    static final int MAX_SPEC_BYTES = 1 << 20;

    private final transient Workbench workbench;
    private final transient BundleContext context;
    private final transient Token token;
    private final transient ObjectMapper json = new ObjectMapper();
    private final transient LiveRuns live = new LiveRuns();
    private final transient ExecutorService runs;

    @Activate
    public Dashboard(@Reference Workbench workbench, BundleContext context) {
        this.workbench = workbench;
        this.context = context;
        this.token = Token.of(context.getProperty(TOKEN_PROPERTY));
        AtomicInteger n = new AtomicInteger();
        this.runs = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "genbench-web-run-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        if (context.getProperty(TOKEN_PROPERTY) == null) {
            System.out.println("genbench dashboard token: " + token.value());
        }
    }

    @Deactivate
    void deactivate() {
        runs.shutdownNow(); // interrupts the runs under way: they end as the runner records an interruption
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("X-Frame-Options", "DENY");
        resp.setHeader("Referrer-Policy", "no-referrer");
        resp.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
        String path = req.getPathInfo() == null ? req.getServletPath() : req.getServletPath() + req.getPathInfo();
        if (path.isEmpty()) {
            path = "/";
        }
        String query = queryParameter(req, "token");
        if (query != null && token.matches(query) && "GET".equals(req.getMethod())) {
            // Keep the token in a cookie and take it out of the address bar (and so out of history and referrers).
            resp.addHeader("Set-Cookie", Token.COOKIE + "=" + token.value() + "; Path=/; HttpOnly; SameSite=Strict");
            resp.sendRedirect(path);
            return;
        }
        if (!authorized(req)) {
            error(resp, 401, "this dashboard needs its access token: open the address bin/genbench serve printed "
                    + "(it ends in ?token=...)");
            return;
        }
        try {
            route(req, resp, path);
        } catch (IllegalArgumentException e) {
            error(resp, 400, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(resp, 503, "interrupted");
        }
    }

    private boolean authorized(HttpServletRequest req) {
        if (!token.required()) {
            return true;
        }
        if (token.matches(req.getHeader(Token.HEADER))) {
            return true;
        }
        if (req.getCookies() != null) {
            for (Cookie c : req.getCookies()) {
                if (Token.COOKIE.equals(c.getName()) && token.matches(c.getValue())) {
                    return true;
                }
            }
        }
        return false;
    }

    private void route(HttpServletRequest req, HttpServletResponse resp, String path)
            throws IOException, InterruptedException {
        String method = req.getMethod();
        List<String> parts = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
        if (path.equals("/") || path.equals("/index.html")) {
            resource(resp, "index.html");
            return;
        }
        if (parts.get(0).equals("static") && parts.size() == 2 && method.equals("GET")) {
            resource(resp, parts.get(1));
            return;
        }
        if (!parts.get(0).equals("api") || parts.size() < 2) {
            error(resp, 404, "no such page: " + path);
            return;
        }
        String what = parts.get(1);
        int n = parts.size();
        if (method.equals("GET") && n == 2 && what.equals("components")) {
            send(resp, 200, components());
        } else if (method.equals("GET") && n == 2 && what.equals("runs")) {
            send(resp, 200, runs());
        } else if (method.equals("POST") && n == 2 && what.equals("runs")) {
            launch(req, resp);
        } else if (method.equals("GET") && n == 3 && what.equals("runs")) {
            runDetail(resp, parts.get(2));
        } else if (method.equals("GET") && n >= 5 && what.equals("runs") && parts.get(3).equals("files")) {
            runFile(resp, parts.get(2), String.join("/", parts.subList(4, n)));
        } else if (method.equals("POST") && n == 2 && what.equals("check")) {
            check(req, resp);
        } else if (method.equals("GET") && n == 2 && what.equals("compare")) {
            compare(req, resp);
        } else if (method.equals("GET") && n == 2 && what.equals("experiments")) {
            send(resp, 200, experiments());
        } else if (method.equals("GET") && n == 3 && what.equals("experiments")) {
            experiment(resp, parts.get(2));
        } else if (method.equals("POST") && n == 2 && what.equals("plugins")) {
            upload(req, resp);
        } else if (method.equals("DELETE") && n == 3 && what.equals("plugins")) {
            removePlugin(resp, parts.get(2));
        } else {
            error(resp, 404, "no such resource: " + method + " " + path);
        }
    }

    // ---- components and bundles

    private ObjectNode components() {
        ObjectNode out = json.createObjectNode();
        ArrayNode comps = out.putArray("components");
        List<ComponentInfo> all = workbench.components();
        for (ComponentInfo c : all) {
            ObjectNode n = comps.addObject().put("role", c.role()).put("name", c.name())
                    .put("description", c.description()).put("bundle", c.bundle()).put("version", c.bundleVersion());
            ArrayNode caps = n.putArray(c.role().equals("model") ? "provides" : "needs");
            c.capabilities().forEach(caps::add);
        }
        ArrayNode bundles = out.putArray("bundles");
        Path plugins = workbench.workspace().resolve("plugins").toAbsolutePath().normalize();
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() == 0) {
                continue;
            }
            ObjectNode n = bundles.addObject().put("id", b.getBundleId()).put("name", b.getSymbolicName())
                    .put("version", b.getVersion().toString()).put("state", Plugins.state(b.getState()));
            String location = b.getLocation();
            String file = fileOf(location);
            n.put("plugin", file != null && Path.of(file).toAbsolutePath().normalize().startsWith(plugins));
            n.put("file", file == null ? location : Path.of(file).getFileName().toString());
            ArrayNode mine = n.putArray("components");
            all.stream().filter(c -> c.bundle().equals(b.getSymbolicName()))
                    .forEach(c -> mine.add(c.role() + " " + c.name()));
            ArrayNode services = n.putArray("services");
            ServiceReference<?>[] registered = b.getRegisteredServices();
            if (registered != null) {
                java.util.Set<String> names = new java.util.TreeSet<>();
                for (ServiceReference<?> r : registered) {
                    for (String cls : (String[]) r.getProperty("objectClass")) {
                        names.add(cls.substring(cls.lastIndexOf('.') + 1));
                    }
                }
                names.forEach(services::add);
            }
        }
        return out;
    }

    private static String fileOf(String location) {
        if (location == null) {
            return null;
        }
        try {
            URL url = new URL(location);
            return url.getProtocol().equals("file") ? Path.of(url.toURI()).toString() : null;
        } catch (Exception e) {
            return location.startsWith("/") ? location : null;
        }
    }

    // ---- runs

    private ObjectNode runs() throws IOException {
        ObjectNode out = json.createObjectNode();
        ArrayNode arr = out.putArray("runs");
        for (RunSummary r : workbench.runs()) {
            ObjectNode n = arr.addObject().put("id", r.id()).put("name", r.name()).put("seed", r.seed())
                    .put("status", r.status()).put("started", r.started());
            if (r.error() != null) {
                n.put("error", r.error());
            }
            ObjectNode m = n.putObject("metrics");
            r.metrics().forEach((k, v) -> putNumber(m, k, v));
            LiveRuns.Live l = live.get(r.id());
            if (l != null && !l.finished) {
                n.set("live", live(l));
            }
        }
        return out;
    }

    private ObjectNode live(LiveRuns.Live l) {
        ObjectNode n = json.createObjectNode().put("phase", l.phase).put("component", l.component)
                .put("done", l.done).put("total", l.total)
                .put("seconds", (System.currentTimeMillis() - l.startedMillis) / 1000.0);
        ObjectNode latest = n.putObject("latest");
        l.latest.forEach((component, values) -> {
            ObjectNode c = latest.putObject(component);
            values.forEach((k, v) -> putNumber(c, k, v));
        });
        return n;
    }

    private void runDetail(HttpServletResponse resp, String id) throws IOException {
        Optional<Path> dir = RunFiles.runDir(runsRoot(), id);
        if (dir.isEmpty()) {
            error(resp, 404, "no run '" + id + "' in " + runsRoot());
            return;
        }
        Path d = dir.get();
        ObjectNode out = json.createObjectNode().put("id", id);
        out.set("run", readJson(d.resolve("run.json")));
        out.set("spec", readJson(d.resolve("spec.json")));
        out.set("metrics", readJson(d.resolve("metrics.json")));
        out.set("curves", RunFiles.curves(d, json));
        ArrayNode pics = out.putArray("pictures");
        RunFiles.pictures(d).forEach(pics::add);
        ArrayNode samples = out.putArray("samples");
        Path sampleDir = d.resolve("samples");
        if (Files.isDirectory(sampleDir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(sampleDir, "*.arrow")) {
                List<String> names = new ArrayList<>();
                files.forEach(f -> names.add("samples/" + f.getFileName()));
                names.stream().sorted().forEach(samples::add);
            }
        }
        LiveRuns.Live l = live.get(id);
        if (l != null && !l.finished) {
            out.set("live", live(l));
        }
        send(resp, 200, out);
    }

    private JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return json.readTree(file.toFile());
        } catch (IOException e) {
            return null; // being replaced at this moment; the next poll reads it
        }
    }

    private void runFile(HttpServletResponse resp, String id, String relative) throws IOException {
        Optional<Path> file = RunFiles.runDir(runsRoot(), id).flatMap(d -> RunFiles.file(d, relative));
        if (file.isEmpty()) {
            error(resp, 404, "no file '" + relative + "' in run '" + id + "'");
            return;
        }
        resp.setStatus(200);
        resp.setContentType(RunFiles.contentType(relative));
        resp.setHeader("Cache-Control", "no-cache");
        resp.setContentLengthLong(Files.size(file.get()));
        try (OutputStream out = resp.getOutputStream()) {
            Files.copy(file.get(), out);
        }
    }

    private Path runsRoot() {
        return workbench.workspace().resolve("runs").toAbsolutePath().normalize();
    }

    // ---- compose, check, launch

    /** The spec in the request body, parsed; problems are sent (and null returned) when it cannot be. */
    private ExperimentSpec spec(HttpServletRequest req, HttpServletResponse resp, JsonNode[] tree) throws IOException {
        String body = body(req, MAX_SPEC_BYTES, "spec");
        try {
            tree[0] = json.readTree(body);
        } catch (IOException e) {
            tree[0] = null;
        }
        try {
            return workbench.parseSpec(body);
        } catch (SpecException e) {
            problems(resp, List.of(e.getMessage()), tree[0]);
            return null;
        }
    }

    private void check(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        JsonNode[] tree = new JsonNode[1];
        ExperimentSpec spec = spec(req, resp, tree);
        if (spec == null) {
            return;
        }
        try {
            workbench.check(spec);
            send(resp, 200, json.createObjectNode().put("ok", true));
        } catch (CompositionException e) {
            problems(resp, e.problems(), tree[0]);
        }
    }

    private void launch(HttpServletRequest req, HttpServletResponse resp) throws IOException, InterruptedException {
        JsonNode[] tree = new JsonNode[1];
        ExperimentSpec spec = spec(req, resp, tree);
        if (spec == null) {
            return;
        }
        try {
            workbench.check(spec);
        } catch (CompositionException e) {
            problems(resp, e.problems(), tree[0]);
            return;
        }
        CompletableFuture<String> id = new CompletableFuture<>();
        runs.submit(() -> {
            String error = null;
            String runId = null;
            try {
                runId = workbench.run(spec, live.listener(id)).id();
            } catch (CompositionException e) {
                error = String.join("; ", e.problems());
                id.completeExceptionally(new IllegalArgumentException(error));
            } catch (RunFailedException e) {
                runId = e.runId();
                error = e.getMessage();
                id.completeExceptionally(new IllegalStateException(error));
            } catch (RuntimeException e) {
                error = String.valueOf(e);
                id.completeExceptionally(e);
            } finally {
                if (runId != null) {
                    live.finished(runId, error);
                }
            }
        });
        try {
            String runId = id.get(60, TimeUnit.SECONDS);
            send(resp, 202, json.createObjectNode().put("id", runId));
        } catch (ExecutionException e) {
            error(resp, 500, e.getCause().getMessage());
        } catch (TimeoutException e) {
            error(resp, 504, "the run did not start within 60 s; see the runs list");
        }
    }

    private void problems(HttpServletResponse resp, List<String> problems, JsonNode spec) throws IOException {
        ObjectNode out = json.createObjectNode().put("ok", false);
        ArrayNode arr = out.putArray("problems");
        for (String p : problems) {
            arr.addObject().put("field", Fields.of(p, spec)).put("message", p);
        }
        send(resp, 422, out);
    }

    // ---- compare

    private void compare(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String ids = queryParameter(req, "runs");
        if (ids == null || ids.isBlank()) {
            error(resp, 400, "name the runs to compare: ?runs=ID,ID,...");
            return;
        }
        List<Path> dirs = new ArrayList<>();
        for (String id : ids.split(",")) {
            Optional<Path> dir = RunFiles.runDir(runsRoot(), id.trim());
            if (dir.isEmpty()) {
                error(resp, 404, "no run '" + id.trim() + "'");
                return;
            }
            dirs.add(dir.get());
        }
        Comparison c;
        try {
            c = Comparison.read(dirs);
        } catch (IOException e) {
            error(resp, 422, "cannot compare: " + e.getMessage());
            return;
        }
        ObjectNode out = json.createObjectNode();
        ArrayNode runsArr = out.putArray("runs");
        c.runs().forEach(r -> runsArr.addObject().put("id", r.id()).put("name", r.name()).put("seed", r.seed()));
        ArrayNode groups = out.putArray("groups");
        for (Comparison.Group g : c.groups()) {
            ObjectNode n = groups.addObject().put("name", g.name()).put("label", g.label());
            ArrayNode members = n.putArray("members");
            g.members().forEach(members::add);
        }
        ArrayNode metrics = out.putArray("metrics");
        for (String name : c.metricNames()) {
            ObjectNode m = metrics.addObject().put("name", name).put("kind", c.kind(name));
            ArrayNode values = m.putArray("values");
            for (Comparison.Run r : c.runs()) {
                Comparison.Metric v = r.metrics().get(name);
                if (v == null || !Double.isFinite(v.value())) {
                    values.addNull();
                } else {
                    values.add(v.value());
                }
            }
            ArrayNode stats = m.putArray("groups");
            for (Comparison.Group g : c.groups()) {
                Optional<Comparison.Stats> s = c.stats(g, name);
                if (s.isPresent() && Double.isFinite(s.get().mean()) && Double.isFinite(s.get().sd())) {
                    stats.addObject().put("mean", s.get().mean()).put("sd", s.get().sd()).put("n", s.get().n())
                            .put("text", c.meanSd(g, name));
                } else {
                    stats.addObject().putNull("mean").put("text", c.meanSd(g, name));
                }
            }
        }
        ArrayNode table = out.putArray("table");
        for (String[] row : c.rows()) {
            ArrayNode r = table.addArray();
            for (String cell : row) {
                r.add(cell);
            }
        }
        send(resp, 200, out);
    }

    // ---- experiments in the workspace

    private ObjectNode experiments() throws IOException {
        ObjectNode out = json.createObjectNode();
        ArrayNode arr = out.putArray("experiments");
        Path dir = workbench.workspace().resolve("experiments");
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                List<String> names = new ArrayList<>();
                files.forEach(f -> names.add(f.getFileName().toString().replaceFirst("\\.json$", "")));
                names.stream().sorted().forEach(arr::add);
            }
        }
        return out;
    }

    private void experiment(HttpServletResponse resp, String name) throws IOException {
        Path dir = workbench.workspace().resolve("experiments");
        Optional<Path> file = RunFiles.file(dir, name + ".json");
        if (file.isEmpty()) {
            error(resp, 404, "no experiment '" + name + "' in " + dir);
            return;
        }
        resp.setStatus(200);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.getWriter().write(Files.readString(file.get()));
    }

    // ---- plug-ins

    private void upload(HttpServletRequest req, HttpServletResponse resp) throws IOException, InterruptedException {
        byte[] jar = bytes(req, Plugins.MAX_BYTES, "plug-in jar");
        Plugins.Identity id = Plugins.identify(jar);
        Path plugins = workbench.workspace().resolve("plugins");
        Path written = Plugins.deploy(plugins, jar, id);
        Optional<Bundle> bundle = Plugins.await(context, id, 20_000);
        ObjectNode out = json.createObjectNode().put("file", written.getFileName().toString())
                .put("bundle", id.symbolicName()).put("version", id.version());
        if (bundle.isEmpty()) {
            send(resp, 504, out.put("error", "the jar is in " + plugins + " but no bundle " + id.symbolicName()
                    + " was installed within 20 s; is the workbench watching that folder?"));
            return;
        }
        String why = Plugins.whyNotActive(bundle.get());
        out.put("state", Plugins.state(bundle.get().getState()));
        if (why != null) {
            send(resp, 422, out.put("error", "installed but not started: " + why));
            return;
        }
        // Declarative Services registers the components just after the bundle starts.
        ArrayNode comps = out.putArray("components");
        long deadline = System.currentTimeMillis() + 5_000;
        List<ComponentInfo> mine;
        do {
            mine = workbench.components().stream().filter(c -> c.bundle().equals(id.symbolicName())).toList();
            if (!mine.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        } while (System.currentTimeMillis() < deadline);
        mine.forEach(c -> comps.add(c.role() + " " + c.name()));
        send(resp, 200, out);
    }

    private void removePlugin(HttpServletResponse resp, String file) throws IOException {
        Path plugins = workbench.workspace().resolve("plugins");
        Optional<Path> jar = RunFiles.file(plugins, file);
        if (jar.isEmpty() || !file.endsWith(".jar")) {
            error(resp, 404, "no plug-in '" + file + "' in " + plugins);
            return;
        }
        Files.delete(jar.get());
        send(resp, 200, json.createObjectNode().put("removed", file));
    }

    // ---- plumbing

    private void resource(HttpServletResponse resp, String name) throws IOException {
        if (!name.matches("[a-z0-9-]+\\.(html|js|css|svg)")) {
            error(resp, 404, "no such file: " + name);
            return;
        }
        try (InputStream in = Dashboard.class.getResourceAsStream("/static/" + name)) {
            if (in == null) {
                error(resp, 404, "no such file: " + name);
                return;
            }
            String type = name.endsWith(".html") ? "text/html; charset=utf-8" : name.endsWith(".js")
                    ? "text/javascript; charset=utf-8" : name.endsWith(".css") ? "text/css; charset=utf-8" : "image/svg+xml";
            resp.setStatus(200);
            resp.setContentType(type);
            resp.setHeader("Cache-Control", "no-cache");
            in.transferTo(resp.getOutputStream());
        }
    }

    /**
     * A parameter of the query string only: {@code getParameter} would read a form-encoded request body to find
     * it, and the body is the spec or the jar.
     */
    static String queryParameter(HttpServletRequest req, String name) {
        String q = req.getQueryString();
        if (q == null) {
            return null;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String k = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (k.equals(name)) {
                return eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static String body(HttpServletRequest req, int max, String what) throws IOException {
        return new String(bytes(req, max, what), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(HttpServletRequest req, int max, String what) throws IOException {
        if (req.getContentLengthLong() > max) {
            throw new IllegalArgumentException("the " + what + " is larger than " + (max >> 20 > 0 ? (max >> 20) + " MB" : max + " bytes"));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = req.getInputStream()) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > max) {
                    throw new IllegalArgumentException("the " + what + " is larger than " + (max >> 20) + " MB");
                }
            }
        }
        if (out.size() == 0) {
            throw new IllegalArgumentException("the request carries no " + what);
        }
        return out.toByteArray();
    }

    private static void putNumber(ObjectNode n, String key, Double v) {
        if (v == null || !Double.isFinite(v)) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }

    private void send(HttpServletResponse resp, int status, JsonNode body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.getOutputStream().write(json.writeValueAsBytes(body));
    }

    private void error(HttpServletResponse resp, int status, String message) throws IOException {
        send(resp, status, json.createObjectNode().put("error", message));
    }

    /** For tests: the token this dashboard accepts. */
    String token() {
        return token.value();
    }
}
