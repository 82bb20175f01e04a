package io.camelsmtp.smtp.relay.dane.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs the command-line tools the DANE tests need, each bounded in time, output to a log file. */
final class Tools {

    private Tools() {
    }

    /** The binary's path, or null when it is not installed. */
    static String which(String binary) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin:/sbin").split(":")) {
            File f = new File(dir, binary);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    /** Skips the test, loudly, when {@code binary} is missing. */
    static String require(String binary, String packageName) {
        String path = which(binary);
        if (path == null) {
            System.err.println("SKIPPED: " + binary + " is not installed (apt-get install " + packageName + ")");
        }
        assumeTrue(path != null, binary + " is not installed (apt-get install " + packageName + ")");
        return path;
    }

    /** Runs {@code command} in {@code dir}, at most 60 s; throws with the output when it fails. */
    static void run(Path dir, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "run", ".log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new IOException(String.join(" ", command) + " took more than 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": "
                    + Files.readString(log));
        }
        Files.deleteIfExists(log);
    }

    /** {@code keytool} of the running JDK. */
    static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    static List<String> list(String... parts) {
        return new ArrayList<>(List.of(parts));
    }
}
