package io.camelsmtp.examples.app;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.main.Main;

/**
 * The runnable mail router: Camel Main with the YAML DSL. Without arguments it loads the shipped routes
 * ({@code classpath:routes/*.camel.yaml}); {@code --routes PATH} loads a YAML file or every {@code *.camel.yaml} in a
 * folder instead. {@code application.properties} in the working directory or on the class path overrides defaults.
 * The admin endpoints (queue operations, health) are always loaded, on {@code http://127.0.0.1:8587} unless
 * {@code admin.host}/{@code admin.port} say otherwise, and answer only with the admin token
 * ({@code admin.token.secret}, or the file {@code <data.dir>/admin.token} generated at the first start). Once started it logs a summary of what listens where; if
 * start-up fails it prints the route file and line at fault and exits with status 1 ({@code --stacktrace} adds the
 * Java stack trace; without it, log events lose their stack traces until the app has started, see {@link StartupLog}).
 * {@code --dkim-keygen DOMAIN SELECTOR} makes a DKIM key and prints its DNS record instead ({@link DkimKeygen}).
 */
public final class MailRouter {

    private MailRouter() {
    }

    public static void main(String[] args) {
        int status = run(args);
        if (status != 0) {
            // only on failure: after a normal stop the JVM may already be running its shutdown hooks
            System.exit(status);
        }
    }

    /** Runs the app until it is stopped; the exit status: 0 after a normal stop, 1 if it could not start, 2 usage. */
    static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    /** {@link #run(String[])} printing to {@code out} and {@code err}. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (DkimKeygen.asked(args)) {
            return DkimKeygen.run(args, out, err); // a key and its record; Camel is not started
        }
        String routes = "classpath:routes/*.camel.yaml";
        boolean stackTrace = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--routes") && i + 1 < args.length) {
                try {
                    routes = toPattern(Path.of(args[++i]));
                } catch (IllegalArgumentException e) {
                    err.println(e.getMessage());
                    return 2;
                }
            } else if (args[i].equals("--stacktrace")) {
                stackTrace = true;
            } else {
                err.println("usage: java -jar camel-smtp-examples.jar [--routes FILE|FOLDER] [--stacktrace]");
                err.println("   or: " + DkimKeygen.USAGE.substring("usage: ".length()));
                return args[i].equals("--help") ? 0 : 2;
            }
        }
        ThreadChoice.apply(); // before Camel creates its first thread
        Main main = create(routes);
        if (!stackTrace) {
            main.addMainListener(StartupLog.begin());
        }
        try {
            main.run();
            return 0;
        } catch (Exception e) {
            // Main's shutdown hook would log "JVM shutdown hook triggered by SIGTERM" at our System.exit: nothing sent one
            main.completed();
            StartupLog.end();
            if (stackTrace) {
                e.printStackTrace();
            }
            err.println(StartupFailure.describe(e, main.getCamelContext()));
            if (!stackTrace) {
                err.println("(--stacktrace shows the Java stack trace)");
            }
            return 1;
        } finally {
            StartupLog.end();
        }
    }

    /** The app's Camel Main for a route pattern, with the admin endpoints; not started. */
    public static Main create(String routesPattern) {
        Main main = new Main(MailRouter.class);
        main.configure().withName("camel-smtp");
        // Route nodes keep their file and line, so a start-up failure can name the line at fault.
        main.configure().withSourceLocationEnabled(true);
        main.configure().withRoutesIncludePattern(routesPattern + ",classpath:admin/*.camel.yaml");
        // the registry the components find when they start (unless metrics.enabled=false); served at /metrics
        main.addMainListener(new MetricsRegistry());
        main.addMainListener(new AdminHttpServer());
        main.addMainListener(new MtaStsPolicyServer());
        main.addMainListener(new StartupSummary());
        if (Files.exists(Path.of("application.properties"))) {
            main.setPropertyPlaceholderLocations("file:application.properties;optional=true,"
                                                 + "classpath:application.properties;optional=true");
        }
        return main;
    }

    private static String toPattern(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            return "file:" + absolute + "/*.camel.yaml";
        }
        if (!Files.isRegularFile(absolute)) {
            throw new IllegalArgumentException("--routes: no such file or folder: " + path);
        }
        return "file:" + absolute;
    }
}
