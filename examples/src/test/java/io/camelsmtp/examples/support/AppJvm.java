package io.camelsmtp.examples.support;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.camelsmtp.examples.app.MailRouter;

/**
 * The runnable app ({@link MailRouter}) in a JVM of its own, as an operator starts it: its exit status and everything
 * it printed, standard output and error together. The class path is the one the jar's manifest would give
 * ({@code target/classes} and the dependency jars, not the test classes: the tests run before {@code package}).
 */
public final class AppJvm {

    /** The exit status, or null when the app was still running at the limit (then killed); what it printed. */
    public record Result(Integer exitStatus, String output) {
    }

    private AppJvm() {
    }

    /**
     * Runs the app in {@code workDir} with the system properties and arguments given, until it exits or
     * {@code limit} passes (then it is killed and {@link Result#exitStatus()} is null).
     */
    public static Result run(Path workDir, Map<String, String> properties, List<String> args, Duration limit)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-cp", classPath(), MailRouter.class.getName()));
        cmd.addAll(args);
        Path output = Files.createTempFile(workDir, "app-", ".out");
        Process process = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        Integer status = null;
        try {
            if (process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                status = process.exitValue();
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
        return new Result(status, Files.readString(output, StandardCharsets.UTF_8));
    }

    /** target/classes and the dependency jars of the test JVM's class path, without target/test-classes. */
    public static String classPath() throws URISyntaxException {
        Path appClasses = Path.of(MailRouter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path testClasses = Path.of(AppJvm.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String surefire = System.getProperty("surefire.test.class.path");
        String raw = surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
        Set<String> entries = new LinkedHashSet<>();
        entries.add(appClasses.toString());
        for (String e : raw.split(File.pathSeparator)) {
            if (e.isBlank()) {
                continue;
            }
            Path p = Path.of(e).toAbsolutePath().normalize();
            if (!p.equals(testClasses) && Files.exists(p)) {
                entries.add(p.toString());
            }
        }
        String cp = String.join(File.pathSeparator, entries);
        if (!cp.contains("camel-main") || !cp.contains("camel-smtp-relay")) {
            throw new IllegalStateException("the test class path lacks the app's dependencies (camel-main, "
                                            + "camel-smtp-relay): " + cp);
        }
        return cp;
    }
}
