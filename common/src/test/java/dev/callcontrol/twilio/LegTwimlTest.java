package dev.callcontrol.twilio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LegTwimlTest {
    @Test
    void spokenTextLosesTheCharactersXmlCannotCarryAndKeepsTheRest() {
        // Found by the bad-input catalogue: a control character in a task's caller name or reason.
        assertEquals("Eve[2J refund 😀 é", LegTwiml.xmlText("Eve\u0000\u0001\u001b[2J refund\ufffe\ud800 😀 é"));
        String twiml = LegTwiml.sayAndHangUp("Call from </Say><Hangup/>\u0000");
        assertTrue(twiml.contains("<Say>Call from &lt;/Say&gt;&lt;Hangup/&gt;</Say><Hangup/>"), twiml);
        String dial = LegTwiml.dial(LegTwiml.join("WT1", "agent:WK1").build(), "Reason: \u0007refund");
        assertTrue(dial.contains("<Say>Reason: refund</Say>"), dial);
    }

    @Test
    void textXmlCannotHoldIsDroppedNotAnException() {
        // Found by LegTwimlFuzzTest and AgentWhisperFuzzTest: a control character in a caller's name
        // made twilio-java's serializer throw, so the agent's whisper leg got a 503 instead of TwiML.
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>Call from Bobby &lt;b&gt;.</Say><Hangup/></Response>",
                LegTwiml.sayAndHangUp("Call from Bob\u0001by\uD800 <b>\uFFFF."));
        String twiml = LegTwiml.dial(LegTwiml.join("WT1\u0000", "agent\u001b:WK1").build(), "Reason: \u0004late\tpayment.");
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>Reason: late\tpayment.</Say><Dial>"
                + "<Conference beep=\"false\" endConferenceOnExit=\"false\" participantLabel=\"agent:WK1\" startConferenceOnEnter=\"true\">WT1</Conference>"
                + "</Dial></Response>", twiml);
    }

    @Test
    void xmlTextKeepsWhatXmlAllows() {
        String allowed = "tab\t lf\n cr\r é \uD83D\uDCDE \uE000 \uFFFD";
        assertEquals(allowed, LegTwiml.xmlText(allowed));
        assertEquals("", LegTwiml.xmlText("\u0000\u0008\u000b\u000c\u001f\uDC00\uFFFE"));
    }
}
