package io.camelsmtp.examples.app;

import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OptionNamesTest {

    private static final Set<String> OPTIONS = Set.of("acceptedDomains", "segmentSize", "port", "tls", "maxRecipients");

    @Test
    void suggestsOnlyWhatIsCloseEnoughToBeATypo() {
        assertEquals(Optional.of("acceptedDomains"), OptionNames.nearest("acceptedDomain", OPTIONS));
        assertEquals(Optional.of("acceptedDomains"), OptionNames.nearest("accepteddomains", OPTIONS));
        assertEquals(Optional.of("segmentSize"), OptionNames.nearest("segmentSise", OPTIONS));
        assertEquals(Optional.of("maxRecipients"), OptionNames.nearest("maxRecipents", OPTIONS));
        assertEquals(Optional.of("tls"), OptionNames.nearest("tsl", OPTIONS), "a transposition is one edit");
        assertEquals(Optional.empty(), OptionNames.nearest("acceptedDomains", OPTIONS), "valid: nothing to suggest");
        assertEquals(Optional.empty(), OptionNames.nearest("host", OPTIONS), "port is 2 edits from a 4-letter name");
        assertEquals(Optional.empty(), OptionNames.nearest("qqqqqqqq", OPTIONS));
        assertEquals(Optional.empty(), OptionNames.nearest("x", Set.of()));
    }

    @Test
    void distanceStopsAtTheLimit() {
        assertEquals(1, OptionNames.distance("segmentsise", "segmentsize", 3));
        assertEquals(1, OptionNames.distance("recipeints", "recipients", 3));
        assertEquals(3, OptionNames.distance("kitten", "sitting", 3));
        assertEquals(3, OptionNames.distance("abc", "uvwxyz", 2), "limit + 1 once it is known to be larger");
    }
}
