package io.camelsmtp.smtp.auth.spf;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the client and the sender domain control never breaks the header fields verify writes from a result. */
class SpfResultTest {

    @Test
    void hostileHeloSenderAndExplanationStayInsideTheirValues() {
        SpfResult r = new SpfResult("fail", "helo", "postmaster@evil\r\nX-Injected: 1", "evil.test) (x",
                "192.0.2.1", "evil\r\nX-Injected: 1; \"quoted\"", "see\r\nX-Injected: 2 \"here\" \u00e9");
        String ar = r.authenticationResult();
        String received = r.receivedSpf();
        for (String field : new String[] { ar, received }) {
            assertFalse(field.contains("\r\nX-Injected"), field);
            assertFalse(field.replace("\r\n\t", "").contains("\r") || field.replace("\r\n\t", "").contains("\n"), field);
        }
        assertTrue(ar.startsWith("spf=fail reason=\"see??X-Injected: 2 \\\"here\\\" ?\" smtp.helo=\"evil??X-Injected: 1; \\\"quoted\\\"\""), ar);
        assertTrue(received.startsWith("Fail (evil.test] [x: 192.0.2.1 is not authorized"), received);
    }

    @Test
    void ipv6ClientsAreWrittenInRfc5952Form() {
        assertEquals("cafe:babe::1", SpfEvaluator.compressed("CAFE:BABE:0:0:0:0:0:1"));
        assertEquals("2001:db8::1:0:0:1", SpfEvaluator.compressed("2001:db8:0:0:1:0:0:1"));
        assertEquals("::", SpfEvaluator.compressed("0:0:0:0:0:0:0:0"));
        assertEquals("2001:db8:0:1:1:1:1:1", SpfEvaluator.compressed("2001:db8:0:1:1:1:1:1"), "one zero group stays");
    }
}
