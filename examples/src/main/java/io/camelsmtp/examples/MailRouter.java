package io.camelsmtp.examples;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.main.Main;

/**
 * The runnable mail router: Camel Main with the YAML DSL. Without arguments it loads the shipped routes
 * ({@code classpath:routes/*.camel.yaml}); {@code --routes PATH} loads a YAML file or every {@code *.camel.yaml} in a
 * folder instead. {@code application.properties} in the working directory or on the class path overrides defaults.
 * The admin endpoints (queue operations, health) are always loaded, on {@code http://127.0.0.1:8025} unless
 * {@code admin.host}/{@code admin.port} say otherwise.
 */
public final class MailRouter {

    private MailRouter() {
    }

    public static void main(String[] args) throws Exception {
        String routes = "classpath:routes/*.camel.yaml";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--routes") && i + 1 < args.length) {
                routes = toPattern(Path.of(args[++i]));
            } else if (args[i].equals("--help")) {
                System.out.println("usage: java -jar camel-smtp-examples.jar [--routes FILE|FOLDER]");
                return;
            }
        }
        create(routes).run();
    }

    /** The app's Camel Main for a route pattern, with the admin endpoints; not started. */
    public static Main create(String routesPattern) {
        Main main = new Main(MailRouter.class);
        main.configure().withName("camel-smtp");
        main.configure().withRoutesIncludePattern(routesPattern + ",classpath:admin/*.camel.yaml");
        main.addMainListener(new AdminHttpServer());
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
