package dev.callcontrol.logging;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class RedactTest {
    @Test
    void phoneNumbersKeepOnlyTheirEnds() {
        assertEquals("+14*******23", Redact.phone("+14155550123"));
        assertEquals("client:a***", Redact.phone("client:alice"));
        assertEquals("sip:b***", Redact.phone("sip:bob@example.com"));
        assertEquals("****", Redact.phone("1234"));
    }

    @Test
    void freeTextLosesEveryNumber() {
        String masked = Redact.text("caller +14155550123 called 020 7946 0018 about order 12");
        assertFalse(masked.contains("4155550123"), masked);
        assertFalse(masked.contains("7946 0018"), masked);
        assertEquals(true, masked.endsWith("order 12"), masked);
    }
}
