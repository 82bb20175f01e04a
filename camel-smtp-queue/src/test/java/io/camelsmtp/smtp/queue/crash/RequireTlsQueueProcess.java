package io.camelsmtp.smtp.queue.crash;

import io.camelsmtp.smtp.queue.DeliveryEvent;
import io.camelsmtp.smtp.relay.testbed.PeerTestSupport;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The JVM that {@link QueueRequireTlsCrashTest} kills with SIGKILL: smtp-server with STARTTLS (the test certificate,
 * 127.0.0.17) queueing into smtp-queue, whose delivery goes to a smart host that refuses connections, so every
 * message is deferred for a minute. Prints {@code READY} once started and one {@code EVENT <type> <recipient>} line
 * per queue event, for the test to wait on. Runs until it is killed (at most five minutes).
 * <p>
 * Arguments: spool directory, smtp-server port, the refusing smart host's port.
 */
public final class RequireTlsQueueProcess {

    private RequireTlsQueueProcess() {
    }

    public static void main(String[] args) throws Exception {
        String spool = args[0];
        int port = Integer.parseInt(args[1]);
        int closed = Integer.parseInt(args[2]);
        DefaultCamelContext c = new DefaultCamelContext();
        c.getRegistry().bind("serverTls", PeerTestSupport.serverTls());
        c.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("smtp-server:127.0.0.17:" + port + "?hostName=mx.tls.test&acceptedDomains=*"
                     + "&sslContextParameters=#serverTls&maxConnectionsPerIp=0&shutdownGracePeriod=1s")
                        .to("smtp-queue:crash?spoolDirectory=" + spool);
                from("smtp-queue:crash?spoolDirectory=" + spool + "&minBackoff=60000&maxBackoff=60000"
                     + "&reportingMta=mta.test&eventsUri=direct:events")
                        .to("smtp-relay:127.0.0.1:" + closed + "?tls=required&connectTimeout=1s&heloName=relay.test");
                from("direct:events").process(e -> {
                    DeliveryEvent ev = e.getMessage().getBody(DeliveryEvent.class);
                    System.out.println("EVENT " + ev.type() + " " + ev.recipient());
                    System.out.flush();
                });
            }
        });
        c.start();
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(300_000);
        c.stop();
    }
}
