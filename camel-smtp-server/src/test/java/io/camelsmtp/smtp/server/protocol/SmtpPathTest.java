package io.camelsmtp.smtp.server.protocol;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** What the fuzz test of MAIL/RCPT arguments found, pinned: control characters never get into a path or parameter. */
class SmtpPathTest {

    @ParameterizedTest
    @ValueSource(strings = { "TO:<\"a\\\r\"@example.org>", "TO:<\"a\\\u0000\"@example.org>", "TO:<\"a\\\u007f\"@example.org>",
                             "TO:<\"a\\\"@example.org>" })
    void aBackslashEscapesOnlyAPrintableCharacter(String argument) {
        assertNotNull(SmtpPath.parse(argument, "TO:", false, true).error(), argument);
    }

    @ParameterizedTest
    @ValueSource(strings = { "TO:<b@example.org> NOTIFY=NE\nVER", "TO:<b@example.org> X\u0000=1",
                             "TO:<b@example.org> NOTIFY=SUC\u0085CESS", "TO:<b@example.org> =1", "TO:<b@example.org> -X=1",
                             "TO:<b@example.org> X=" })
    void parametersAreKeywordsAndValuesOfRfc5321(String argument) {
        assertNotNull(SmtpPath.parse(argument, "TO:", false, true).error(), argument);
    }

    @ParameterizedTest
    @ValueSource(strings = { "TO:<\"a\\\"b\"@example.org>", "TO:<\"a b\"@example.org>", "TO:<b@example.org> NOTIFY=SUCCESS,DELAY",
                             "TO:<b@example.org> ORCPT=rfc822;b+40example.org" })
    void validPathsAndParametersStillPass(String argument) {
        assertEquals(null, SmtpPath.parse(argument, "TO:", false, true).error(), argument);
    }
}
