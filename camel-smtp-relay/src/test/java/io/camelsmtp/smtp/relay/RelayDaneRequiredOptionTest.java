package io.camelsmtp.smtp.relay;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code daneRequired} where DANE cannot be on: the route does not start, and the reason names the option, instead of
 * a relay that defers every message for ever.
 */
class RelayDaneRequiredOptionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "smtp-relay:mx?daneRequired=true                                        | daneRequired needs DANE on",
        "smtp-relay:mx?daneRequired=true&dane=false&daneTrustAnchors=root.key   | remove dane=false",
        "smtp-relay:mx?daneRequired=true&dane=false&daneTrustedResolvers=127.0.0.1:5353 | remove dane=false",
        "smtp-relay:127.0.0.1:2525?daneRequired=true&daneTrustedResolvers=127.0.0.1:5353 | MX delivery (smtp-relay:mx) only"
    })
    void failsAtStartUp(String uri, String says) throws Exception {
        try (CamelContext c = new DefaultCamelContext()) {
            c.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:in").to(uri);
                }
            });
            Exception e = assertThrows(Exception.class, c::start);
            StringBuilder chain = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                chain.append(t).append('\n');
            }
            assertTrue(chain.toString().contains(says), chain::toString);
        }
    }
}
