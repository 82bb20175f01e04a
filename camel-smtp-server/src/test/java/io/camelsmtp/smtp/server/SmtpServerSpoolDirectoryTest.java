package io.camelsmtp.smtp.server;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.camelsmtp.smtp.server.support.LogLines;
import io.camelsmtp.smtp.server.support.Messages;
import io.camelsmtp.smtp.server.support.SmtpDialogue;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where messages above spoolThreshold are written while their route runs: by default a fresh directory of our own
 * (0700) under java.io.tmpdir for each listener, never a fixed shared name; a configured spoolDirectory must belong to
 * the user the JVM runs as and be writable by nobody else, or the route does not start; every file is 0600.
 */
class SmtpServerSpoolDirectoryTest extends CamelTestSupport {

    private final int port = AvailablePortFinder.getNextAvailable();
    private final Path base = Path.of("target", "spool-dirs-" + port).toAbsolutePath();

    @BeforeEach
    void posixOnly() throws IOException {
        Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
                "the ownership and mode checks are for POSIX file systems");
        Files.createDirectories(base);
    }

    private void addListener(String routeId, String options) throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.1:" + port + "?acceptedDomains=*&spoolThreshold=1000&maxMessageSize=50000"
                     + options)
                        .routeId(routeId)
                        .process(SmtpServerSpoolDirectoryTest::recordSpoolFiles)
                        .to("mock:inbox");
            }
        });
    }

    /** While the route runs, the spool file exists: record its directory's and its own permissions. */
    private static void recordSpoolFiles(Exchange exchange) throws IOException {
        SmtpServerConsumer consumer = (SmtpServerConsumer) exchange.getContext()
                .getRoute(exchange.getFromRouteId()).getConsumer();
        Path dir = consumer.getSpoolDirectory();
        exchange.getMessage().setHeader("spoolDirectory", dir.toString());
        exchange.getMessage().setHeader("directoryMode", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        List<String> modes = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                modes.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            }
        }
        exchange.getMessage().setHeader("fileModes", modes);
    }

    private void sendLarge() throws Exception {
        String large = Messages.simple("big") + ("0123456789".repeat(9) + "\r\n").repeat(150);
        try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
            String reply = s.send("a@client.test", "b@example.org", large);
            assertTrue(reply.startsWith("250 "), reply);
        }
    }

    @Test
    void byDefaultAPrivateDirectoryPerListenerRemovedOnStop() throws Exception {
        MockEndpoint inbox = getMockEndpoint("mock:inbox");
        inbox.expectedMessageCount(1);
        addListener("default-spool", "");
        sendLarge();
        inbox.assertIsSatisfied();
        Exchange e = inbox.getExchanges().get(0);
        Path dir = Path.of(e.getMessage().getHeader("spoolDirectory", String.class));
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(), dir.getParent().toAbsolutePath());
        assertTrue(dir.getFileName().toString().startsWith("camel-smtp-"), dir.toString());
        assertNotEquals("camel-smtp", dir.getFileName().toString(), "not a fixed, guessable name");
        assertEquals("rwx------", e.getMessage().getHeader("directoryMode"));
        assertEquals(List.of("rw-------"), e.getMessage().getHeader("fileModes"));

        context.getRouteController().stopRoute("default-spool");
        assertFalse(Files.exists(dir), "the listener's own directory is removed when it stops");
    }

    @Test
    void aConfiguredDirectoryIsCreatedPrivateAndItsFilesAre0600() throws Exception {
        MockEndpoint inbox = getMockEndpoint("mock:inbox");
        inbox.expectedMessageCount(1);
        Path dir = base.resolve("new/spool");
        addListener("configured-spool", "&spoolDirectory=" + dir);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        sendLarge();
        inbox.assertIsSatisfied();
        Exchange e = inbox.getExchanges().get(0);
        assertEquals(dir.toRealPath().toString(), e.getMessage().getHeader("spoolDirectory"));
        assertEquals(List.of("rw-------"), e.getMessage().getHeader("fileModes"));
    }

    @Test
    void theListenersOwnDirectoryIsMadeAnewWhenItVanishes() throws Exception {
        MockEndpoint inbox = getMockEndpoint("mock:inbox");
        inbox.expectedMessageCount(1);
        addListener("vanishing", "");
        SmtpServerConsumer consumer = (SmtpServerConsumer) context.getRoute("vanishing").getConsumer();
        Path first = consumer.getSpoolDirectory();
        Files.delete(first);
        sendLarge();
        inbox.assertIsSatisfied();
        Path second = Path.of(inbox.getExchanges().get(0).getMessage().getHeader("spoolDirectory", String.class));
        assertNotEquals(first, second);
        assertEquals("rwx------", inbox.getExchanges().get(0).getMessage().getHeader("directoryMode"));
    }

    @Test
    void aConfiguredDirectoryOpenedUpWhileListeningRefusesTheMessage() throws Exception {
        getMockEndpoint("mock:inbox").expectedMessageCount(0);
        Path dir = Files.createDirectories(base.resolve("opened-up"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        addListener("opened-up", "&spoolDirectory=" + dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (LogLines log = LogLines.capture()) {
            String large = Messages.simple("big") + ("0123456789".repeat(9) + "\r\n").repeat(150);
            try (SmtpDialogue s = SmtpDialogue.open(port).ehlo("client.test")) {
                s.cmd("MAIL FROM:<a@client.test>");
                s.cmd("RCPT TO:<b@example.org>");
                s.cmd("DATA");
                // the session is closed with the message half read: the client sees the 421 or a reset
                String reply;
                try {
                    reply = s.data(large);
                } catch (IOException reset) {
                    reply = reset.toString();
                }
                assertTrue(reply.equals("421 4.3.0 Local error in processing, closing connection")
                           || reply.contains("closed") || reply.contains("reset"), reply);
            }
            List<String> warnings = log.containing("writable by others");
            assertEquals(1, warnings.size(), log.events().toString());
            assertTrue(warnings.get(0).startsWith("WARN ") && warnings.get(0).contains("421 4.3.0"), warnings.get(0));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing was written there");
        }
        getMockEndpoint("mock:inbox").assertIsSatisfied(200);
    }

    @Test
    void aWorldOrGroupWritableDirectoryFailsTheRouteByName() throws Exception {
        assertRefused("world-writable", "rwxrwxrwx", "writable by others");
        assertRefused("others-writable", "rwxr-xrwx", "writable by others");
        assertRefused("group-writable", "rwxrwx---", "writable by its group");
    }

    private void assertRefused(String name, String mode, String reason) throws Exception {
        Path dir = Files.createDirectories(base.resolve(name));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
        Exception e = assertThrows(Exception.class, () -> addListener(name, "&spoolDirectory=" + dir));
        String message = messages(e);
        assertTrue(message.contains(dir.toString()) && message.contains(reason), message);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing was written there");
        }
    }

    @Test
    void aDirectoryOfAnotherUserFailsTheRouteByName() throws Exception {
        Path dir = Files.createDirectories(base.resolve("foreign"));
        Files.setPosixFilePermissions(dir, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        UserPrincipal nobody;
        try {
            nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(dir, nobody);
        } catch (IOException notPermitted) {
            Assumptions.abort("cannot give a directory to user nobody here (needs root): " + notPermitted);
            return;
        }
        Exception e = assertThrows(Exception.class, () -> addListener("foreign", "&spoolDirectory=" + dir));
        String message = messages(e);
        assertTrue(message.contains(dir.toString()) && message.contains("owned by nobody"), message);
    }

    private static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append(" <- ");
        }
        return sb.toString();
    }
}
