package org.genbench.workbench.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Which process runs a run: host, pid and the process's start time, recorded in {@code run.json} while it runs. A
 * later start judges a {@code running} run by it: a pid that is gone, or reused by a process that started at
 * another time, means the owner died without saying so.
 */
final class Owner {
    private static final String HOST = readHost();

    private Owner() {
    }

    static String host() {
        return HOST;
    }

    static ObjectNode current() {
        ProcessHandle self = ProcessHandle.current();
        ObjectNode o = RunStore.object().put("host", HOST).put("pid", self.pid());
        self.info().startInstant().ifPresent(t -> o.put("processStarted", t.toString()));
        return o;
    }

    static boolean alive(JsonNode owner) {
        Optional<ProcessHandle> p = ProcessHandle.of(owner.path("pid").asLong(-1));
        if (p.isEmpty() || !p.get().isAlive()) {
            return false;
        }
        String recorded = owner.path("processStarted").asText("");
        Optional<Instant> actual = p.get().info().startInstant();
        // Start instants are derived from clock ticks and may differ by a fraction of a second between readings.
        return recorded.isEmpty() || actual.isEmpty()
                || Math.abs(Instant.parse(recorded).toEpochMilli() - actual.get().toEpochMilli()) < 2000;
    }

    private static String readHost() {
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                return Files.readString(kernel).trim();
            }
        } catch (IOException | RuntimeException e) {
            // fall back below
        }
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
