package com.example.mail;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * Takes mail for the domains in smtp.acceptedDomains and stores each message as {@code <queue id>.eml} in inbox.dir.
 * The client gets its 250 once the route is done, so only once the file is on disk; if storing fails, it gets 451 and
 * tries again later.
 */
public class InboxRoutes extends RouteBuilder {

    @Override
    public void configure() {
        from("smtp-server:{{smtp.host}}:{{smtp.port}}"
             + "?hostName={{smtp.hostName}}&acceptedDomains={{smtp.acceptedDomains}}")
            .routeId("smtp-inbox")
            // written as .<id>.eml, renamed when complete; mail is private: rw------- in a rwx------ folder
            .to("file:{{inbox.dir}}?fileName=${header.CamelSmtpMessageId}.eml&tempPrefix=."
                + "&fileExist=Fail&chmod=600&chmodDirectory=700")
            .process(InboxRoutes::fsync)
            .log("${header.CamelSmtpMessageId} from <${header.CamelSmtpEnvelopeFrom}>"
                 + " to ${header.CamelSmtpEnvelopeTo} stored in ${header.CamelFileNameProduced}");
    }

    /** Camel's file producer does not fsync: the file and its folder's new entry go to disk before the 250. */
    static void fsync(Exchange exchange) throws IOException {
        Path file = Path.of(exchange.getMessage().getHeader(Exchange.FILE_NAME_PRODUCED, String.class));
        try (FileChannel content = FileChannel.open(file, StandardOpenOption.WRITE)) {
            content.force(true);
        }
        if (!System.getProperty("os.name").startsWith("Windows")) {   // Windows cannot open a folder as a channel
            try (FileChannel folder = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
                folder.force(true);
            }
        }
    }
}
