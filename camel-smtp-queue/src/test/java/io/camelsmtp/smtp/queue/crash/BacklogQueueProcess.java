package io.camelsmtp.smtp.queue.crash;

import io.camelsmtp.smtp.queue.MailQueue;
import io.camelsmtp.smtp.queue.SmtpQueueComponent;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The JVM that {@link BacklogRecoveryCrashTest} kills with SIGKILL while it reads a backlog: smtp-server queueing into
 * smtp-queue, whose delivery goes through smtp-relay to a real receiver (Postfix's smtp-sink). Prints {@code READY}
 * once started, then every 20 ms {@code STATUS <recovering> <recovered so far> <queue size>} (and, when at most five
 * messages are left, each as {@code id:status:attempts:N pending:last error}). Runs until it is killed
 * (at most five minutes).
 * <p>
 * Arguments: spool directory, smtp-server port, smtp-sink's port.
 */
public final class BacklogQueueProcess {

    private BacklogQueueProcess() {
    }

    public static void main(String[] args) throws Exception {
        String spool = args[0];
        int port = Integer.parseInt(args[1]);
        int sink = Integer.parseInt(args[2]);
        DefaultCamelContext c = new DefaultCamelContext();
        c.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(defaultErrorHandler().logExhausted(false)); // the queue logs each deferral itself
                from("smtp-server:127.0.0.1:" + port + "?hostName=mx.backlog.test&acceptedDomains=*"
                     + "&maxConnectionsPerIp=0&shutdownGracePeriod=1s")
                        .to("smtp-queue:crash?spoolDirectory=" + spool);
                from("smtp-queue:crash?spoolDirectory=" + spool + "&minBackoff=1000&maxBackoff=2000&reportingMta=mta.test")
                        .to("smtp-relay:127.0.0.1:" + sink + "?tls=none&connectTimeout=5s&heloName=relay.test");
            }
        });
        c.start();
        System.out.println("READY");
        System.out.flush();
        MailQueue q = c.getComponent("smtp-queue", SmtpQueueComponent.class).getQueue("crash");
        long end = System.nanoTime() + 300_000_000_000L;
        while (System.nanoTime() < end) {
            int size = q.size();
            StringBuilder few = new StringBuilder();
            if (size > 0 && size <= 5) {
                q.list().forEach(i -> few.append(' ').append(i.id()).append(':').append(i.status()).append(':')
                        .append(i.attempts()).append(':').append(i.recipients().size()).append(" pending:").append(i.lastError()));
            }
            System.out.println("STATUS " + q.recovering() + " " + q.recoveredCount() + " " + size + few);
            System.out.flush();
            Thread.sleep(20);
        }
        c.stop();
    }
}
