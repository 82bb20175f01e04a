package io.camelsmtp.smtp.auth;

import java.util.Locale;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * A mail authentication step: {@code smtp-auth:dkim-sign} signs the message in the body, {@code smtp-auth:verify}
 * checks its DKIM signatures, SPF and DMARC and writes an Authentication-Results header, {@code smtp-auth:spf} checks
 * SPF (RFC 7208), e.g. in a mailPolicy route, {@code smtp-auth:dnsbl} the client address against DNS block lists.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "smtp-auth", title = "SMTP Authentication", syntax = "smtp-auth:operation",
             category = { Category.MAIL }, producerOnly = true, remote = false, headersClass = SmtpAuthConstants.class)
public class SmtpAuthEndpoint extends DefaultEndpoint {

    /** The operations; those not yet built refuse the endpoint instead of pretending to work. */
    public enum Operation {
        DKIM_SIGN(true),
        VERIFY(true),
        SPF(true),
        DNSBL(true);

        private final boolean available;

        Operation(boolean available) {
            this.available = available;
        }

        public String uriName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Operation of(String text, String uri) {
            for (Operation o : values()) {
                if (o.uriName().equals(text)) {
                    if (!o.available) {
                        throw new IllegalArgumentException("smtp-auth:" + text + " is not yet available in this version "
                                + "(available: " + available() + "), in " + uri);
                    }
                    return o;
                }
            }
            throw new IllegalArgumentException("smtp-auth needs an operation (" + available() + "), not '" + text
                    + "', in " + uri);
        }

        private static String available() {
            return String.join(", ", java.util.Arrays.stream(values()).filter(o -> o.available).map(Operation::uriName)
                    .toList());
        }
    }

    @UriPath(enums = "dkim-sign,verify,spf,dnsbl",
             description = "dkim-sign to sign the message with DKIM, verify to check its DKIM signatures, SPF and "
                           + "DMARC, spf to check SPF (e.g. at MAIL FROM), dnsbl to check the client address against DNS "
                           + "block lists")
    @Metadata(required = true)
    private String operation;

    @UriParam
    private SmtpAuthConfiguration configuration;

    /** {@code configuration} is the endpoint's own (a copy of the component's); URI options are then set on it. */
    public SmtpAuthEndpoint(String uri, SmtpAuthComponent component, SmtpAuthConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public Producer createProducer() throws Exception {
        return new SmtpAuthProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("smtp-auth is a producer only: use it in to()");
    }

    public String getOperation() {
        return operation;
    }

    /** The operation. */
    public void setOperation(String operation) {
        this.operation = operation;
    }

    Operation operation() {
        return Operation.of(operation, getEndpointUri());
    }

    public SmtpAuthConfiguration getConfiguration() {
        return configuration;
    }

    /** The endpoint's options. */
    public void setConfiguration(SmtpAuthConfiguration configuration) {
        this.configuration = configuration;
    }
}
