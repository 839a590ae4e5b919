package dev.callcontrol.twilio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LegTwimlTest {
    @Test
    void spokenTextLosesTheCharactersXmlCannotCarryAndKeepsTheRest() {
        assertEquals("Eve[2J refund 😀 é", LegTwiml.speakable("Eve\u0000\u0001\u001b[2J refund\ufffe\ud800 😀 é"));
        String twiml = LegTwiml.sayAndHangUp("Call from </Say><Hangup/>\u0000");
        assertTrue(twiml.contains("<Say>Call from &lt;/Say&gt;&lt;Hangup/&gt;</Say><Hangup/>"), twiml);
        String dial = LegTwiml.dial(LegTwiml.join("WT1", "agent:WK1").build(), "Reason: \u0007refund");
        assertTrue(dial.contains("<Say>Reason: refund</Say>"), dial);
    }
}
