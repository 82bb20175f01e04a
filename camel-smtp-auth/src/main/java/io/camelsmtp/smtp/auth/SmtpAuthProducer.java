package io.camelsmtp.smtp.auth;

import java.io.InputStream;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.StreamCache;
import org.apache.camel.converter.stream.InputStreamCache;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;

/** Runs one {@code smtp-auth} operation on each Exchange; the operation's set-up (keys, DNS) is made at start. */
public class SmtpAuthProducer extends DefaultProducer {

    /** One operation: started and stopped with the producer. */
    abstract static class Operation extends ServiceSupport {
        abstract void process(Exchange exchange) throws Exception;
    }

    private final Operation operation;

    public SmtpAuthProducer(SmtpAuthEndpoint endpoint) {
        super(endpoint);
        operation = switch (endpoint.operation()) {
            case DKIM_SIGN -> new DkimSignOperation(endpoint);
            case VERIFY -> new DkimVerifyOperation(endpoint);
            case SPF -> new SpfOperation(endpoint);
            case DNSBL -> new DnsblOperation(endpoint);
            default -> throw new IllegalStateException("not available: " + endpoint.getOperation());
        };
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        ServiceHelper.startService(operation);
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(operation);
        super.doStop();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        operation.process(exchange);
    }

    /**
     * The message octets as a re-readable stream, at their start: the body itself when it is one (what
     * {@code smtp-server} and {@code smtp-queue} give, kept on disk when large), else its bytes.
     */
    static StreamCache body(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        Object body = in.getBody();
        if (body == null) {
            throw new IllegalArgumentException("the message body is empty");
        }
        if (body instanceof StreamCache sc && body instanceof InputStream) {
            sc.reset();
            return sc;
        }
        return new InputStreamCache(in.getMandatoryBody(byte[].class));
    }
}
