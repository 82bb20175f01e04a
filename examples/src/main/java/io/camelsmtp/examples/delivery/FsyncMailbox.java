package io.camelsmtp.examples.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

import org.apache.camel.Exchange;
import org.apache.camel.Handler;
import org.apache.camel.InvalidPayloadException;

/**
 * Stores each message as {@code <queue id>.eml} in a directory, durably: written to a temporary name, fsynced, renamed
 * into place, then the directory fsynced, so that when the route completes (and the client gets its 250) the message
 * survives a crash. Camel's file component does not fsync, which is why this bean exists. The directory (and any
 * missing parent) is created {@code rwx------}, each message {@code rw-------}: mail is for its owner only.
 */
public class FsyncMailbox {

    private Path directory = Path.of("data/mailbox");
    private volatile boolean directoryCreated;

    public void setDirectory(String directory) {
        this.directory = Path.of(directory);
        this.directoryCreated = false;
    }

    public String getDirectory() {
        return directory.toString();
    }

    @Handler
    public void store(Exchange exchange) throws IOException {
        if (!directoryCreated) {
            DurableFiles.createDirectories(directory, null);
            directoryCreated = true;
        }
        String id = exchange.getMessage().getHeader("CamelSmtpMessageId", exchange.getExchangeId(), String.class);
        Path tmp = directory.resolve("." + id + ".tmp");
        try (InputStream in = exchange.getMessage().getMandatoryBody(InputStream.class)) {
            DurableFiles.write(tmp, false, null, in::transferTo);
        } catch (InvalidPayloadException e) {
            throw new IOException(e);
        }
        DurableFiles.rename(tmp, directory.resolve(id + ".eml"));
    }
}
