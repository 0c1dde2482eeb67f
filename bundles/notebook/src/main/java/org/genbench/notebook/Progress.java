package org.genbench.notebook;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The error stream handed to the {@code run} verb, turned into progress in the cell. Without a terminal the verb
 * writes one {@code [run-id] phase component} line per phase; each becomes a timed line in the cell. While a phase
 * runs, a ticker reads what it appends to the run's {@code metrics.jsonl} and shows the latest step every few
 * seconds; when the phase ends, how many steps each component logged and their last values. Any other line is an
 * error message, kept for the exception.
 */
final class Progress extends PrintStream {
    private static final Pattern PHASE = Pattern.compile("^\\[(\\S+)] (\\S+) (.*)$");

    private final PrintStream cell;
    private final Path runs;
    private final StringBuilder errors = new StringBuilder();
    private final long t0 = System.nanoTime();
    private final ScheduledExecutorService ticker;
    private String runId;
    private int logLinesSeen;
    /** Per component, what the current phase has logged: step count and the last line. */
    private final Map<String, Integer> phaseSteps = new LinkedHashMap<>();
    private final Map<String, JsonNode> phaseLast = new LinkedHashMap<>();
    private boolean fresh;
    private boolean finished;

    Progress(PrintStream cell, Path runs) {
        this(new LineSink(), cell, runs, 2000);
    }

    Progress(PrintStream cell, Path runs, long tickMillis) {
        this(new LineSink(), cell, runs, tickMillis);
    }

    private Progress(LineSink sink, PrintStream cell, Path runs, long tickMillis) {
        super(sink, true, StandardCharsets.UTF_8);
        this.cell = cell;
        this.runs = runs;
        sink.owner = this;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "genbench-notebook-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    private synchronized void line(String line) {
        Matcher m = PHASE.matcher(line);
        if (!m.matches()) {
            errors.append(line).append('\n');
            return;
        }
        if (runId == null) {
            runId = m.group(1);
            cell.println("run " + runId);
        }
        endPhase();
        cell.printf(Locale.ROOT, "  %6.1f s  %-9s %s%n", seconds(), m.group(2), m.group(3));
        cell.flush();
    }

    /** Every few seconds during a phase: the latest step of each component that logged since the last look. */
    private synchronized void tick() {
        if (finished || runId == null) {
            return;
        }
        readLog();
        if (fresh) {
            fresh = false;
            phaseLast.forEach((component, n) -> cell.printf(Locale.ROOT, "  %6.1f s            %s at step %d:%s%n",
                    seconds(), component, n.path("step").asLong(), values(n)));
            cell.flush();
        }
    }

    /** The finished phase's log: per component, steps and the last values. */
    private void endPhase() {
        readLog();
        phaseSteps.forEach((component, steps) -> cell.printf(Locale.ROOT, "             %s: %d step(s) logged, at step %d:%s%n",
                component, steps, phaseLast.get(component).path("step").asLong(), values(phaseLast.get(component))));
        phaseSteps.clear();
        phaseLast.clear();
        fresh = false;
    }

    private void readLog() {
        if (runId == null) {
            return;
        }
        Path log = runs.resolve(runId).resolve("metrics.jsonl");
        if (!Files.isRegularFile(log)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(log);
            for (String l : lines.subList(Math.min(logLinesSeen, lines.size()), lines.size())) {
                if (l.isBlank() || !l.endsWith("}")) {
                    break; // a line being written; read it next time
                }
                JsonNode n = Experiment.JSON.readTree(l);
                String c = n.path("component").asText();
                phaseSteps.merge(c, 1, Integer::sum);
                phaseLast.put(c, n);
                logLinesSeen++;
                fresh = true;
            }
        } catch (IOException e) {
            // progress is a courtesy: a log that cannot be read now is read by Run.log() later
        }
    }

    private static String values(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        Iterator<Map.Entry<String, JsonNode>> it = n.path("values").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> v = it.next();
            sb.append(' ').append(v.getKey()).append('=').append(Table.format(v.getValue().asDouble()));
        }
        return sb.toString();
    }

    private double seconds() {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** After the verb returned: the last phase's log and the total time; stops the ticker. */
    void finish() {
        flush();
        ticker.shutdownNow();
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            endPhase();
            if (runId != null) {
                cell.printf(Locale.ROOT, "  %6.1f s  done%n", seconds());
                cell.flush();
            }
        }
    }

    synchronized String errors() {
        return errors.toString();
    }

    /** The cell's stream belongs to the kernel: closing this one must not close it. */
    @Override
    public void close() {
        flush();
    }

    private static final class LineSink extends OutputStream {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private Progress owner;

        @Override
        public void write(int b) {
            if (b == '\n') {
                owner.line(buffer.toString(StandardCharsets.UTF_8));
                buffer.reset();
            } else {
                buffer.write(b);
            }
        }
    }
}
