package org.genbench.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The host's temporary folder ({@code genbench-felix-*} in the temporary directory, holding Felix's storage in
 * {@code felix/} and FileInstall's in {@code fileinstall/}): created with an {@code owner} file naming this process
 * (pid and start time), deleted when the host closes, and reclaimed at the next start when the
 * process that owned it is gone (killed with SIGKILL, or by the kernel for memory), so killed runs leave nothing
 * behind for long.
 */
final class FrameworkStorage {
    static final String PREFIX = "genbench-felix-";
    static final String OWNER = "owner";
    /** A folder without an owner file (an older launcher's) is only reclaimed once this old. */
    static final Duration ORPHAN_AGE = Duration.ofHours(24);

    private FrameworkStorage() {
    }

    static Path create(Path tmp) throws IOException {
        Path dir = Files.createTempDirectory(tmp, PREFIX);
        ProcessHandle self = ProcessHandle.current();
        Files.writeString(dir.resolve(OWNER), self.pid() + " " + self.info().startInstant().map(Instant::toString).orElse("") + "\n");
        return dir;
    }

    /** Deletes the storage folders in {@code tmp} whose owner is gone; returns those deleted. */
    static List<Path> reclaim(Path tmp) {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path dir : dirs) {
                if (Files.isDirectory(dir) && !ownerAlive(dir)) {
                    try {
                        deleteTree(dir);
                        removed.add(dir);
                    } catch (IOException e) {
                        // another user's folder, or another process reclaiming it at the same time: leave it
                    }
                }
            }
        } catch (IOException e) {
            // the temporary directory cannot be listed: nothing to reclaim
        }
        return removed;
    }

    static boolean ownerAlive(Path dir) {
        Path owner = dir.resolve(OWNER);
        try {
            if (!Files.isRegularFile(owner)) {
                FileTime modified = Files.getLastModifiedTime(dir);
                return modified.toInstant().isAfter(Instant.now().minus(ORPHAN_AGE));
            }
            String[] parts = Files.readString(owner).trim().split(" ");
            Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(parts[0]));
            if (p.isEmpty() || !p.get().isAlive()) {
                return false;
            }
            if (parts.length < 2 || parts[1].isEmpty() || p.get().info().startInstant().isEmpty()) {
                return true;
            }
            long recorded = Instant.parse(parts[1]).toEpochMilli();
            return Math.abs(recorded - p.get().info().startInstant().get().toEpochMilli()) < 2000;
        } catch (IOException | RuntimeException e) {
            return true; // unreadable: not ours to judge
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
