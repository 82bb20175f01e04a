package io.camelsmtp.smtp.server.peers;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs an external program (a real SMTP peer) with a hard time limit. Output goes to temporary files rather than
 * pipes, so a chatty program can never block on a full pipe and no reader threads are needed; the process and all
 * its descendants are destroyed in a finally block whatever happens.
 */
public final class PeerProcess {

    /** What a finished (or killed) run left behind. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {

        /** For assertion messages: the command and everything it printed. */
        public String describe() {
            return "command: " + String.join(" ", command.stream().map(Result::shorten).toList()) + "\nexit code: " + exitCode
                   + (timedOut ? " (killed after the time limit)" : "") + "\n--- stdout ---\n" + stdout
                   + "\n--- stderr ---\n" + stderr;
        }

        private static String shorten(String arg) {
            return arg.length() <= 200 ? arg : arg.substring(0, 60) + "...(" + arg.length() + " chars)";
        }

        String output() {
            return stdout + stderr;
        }
    }

    private PeerProcess() {
    }

    /**
     * The first of {@code candidates} that is an executable file; a bare name is looked up on PATH. Absolute paths
     * come first in the list when a specific build (Debian's /usr/bin/python3) is preferred.
     */
    static Optional<Path> find(String... candidates) {
        for (String c : candidates) {
            if (c.contains("/")) {
                Path p = Path.of(c);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
                continue;
            }
            String path = System.getenv("PATH");
            if (path == null) {
                continue;
            }
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir, c);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** {@link #find} or skip the test loudly, naming the package that provides the program. */
    public static Path require(String what, String debianPackage, String... candidates) {
        Optional<Path> found = find(candidates);
        Assumptions.assumeTrue(found.isPresent(),
                what + " not installed: apt-get install " + debianPackage + " (looked for " + String.join(", ", candidates)
                                                  + ")");
        return found.get();
    }

    static Result run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        return run(timeout, command, null, Map.of());
    }

    /**
     * Runs {@code command} with {@code stdin} (null for none) and extra environment variables, waiting at most
     * {@code timeout}; a program still running then is killed, with its descendants, and reported as timed out.
     */
    public static Result run(Duration timeout, List<String> command, byte[] stdin, Map<String, String> env)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("peer-process");
        Path in = dir.resolve("stdin");
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Files.write(in, stdin == null ? new byte[0] : stdin);
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().putAll(env);
        Process process = pb.start();
        boolean finished = false;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            if (!finished) {
                kill(process);
            }
        }
        try {
            return new Result(new ArrayList<>(command), finished ? process.exitValue() : -1,
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
                    !finished);
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            Files.deleteIfExists(dir);
        }
    }

    /** Destroys {@code process} and its descendants, forcibly if they do not go within a few seconds. */
    static void kill(Process process) throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        if (!process.waitFor(3, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(3, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
