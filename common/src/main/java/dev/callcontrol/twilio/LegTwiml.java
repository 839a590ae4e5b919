package dev.callcontrol.twilio;

import com.twilio.twiml.VoiceResponse;
import com.twilio.twiml.voice.Conference;
import com.twilio.twiml.voice.Dial;
import com.twilio.twiml.voice.Hangup;
import com.twilio.twiml.voice.Say;

/**
 * The TwiML the product gives the legs it brings into a call (transfer targets, supervisors, the
 * agent after a whisper, the waiting caller), built with twilio-java's builders. Text that may come
 * from callers (names and reasons in a whisper) loses the characters XML cannot carry, which the
 * builders would otherwise refuse with an exception instead of TwiML.
 */
public final class LegTwiml {
    private LegTwiml() {
    }

    /**
     * Joining the conference named by a task, labelled: starting it if need be, never ending it on
     * leaving, without a beep. Callers add what their leg needs (muted, coach, status callback).
     */
    public static Conference.Builder join(String conferenceName, String label) {
        return new Conference.Builder(xmlText(conferenceName))
                .participantLabel(xmlText(label))
                .startConferenceOnEnter(true)
                .endConferenceOnExit(false)
                .beep(Conference.Beep.FALSE);
    }

    /** {@code <Dial><Conference>}, after an optional spoken introduction. */
    public static String dial(Conference conference, String introduction) {
        VoiceResponse.Builder response = new VoiceResponse.Builder();
        if (introduction != null) {
            response.say(new Say.Builder(xmlText(introduction)).build());
        }
        return response.dial(new Dial.Builder().conference(conference).build()).build().toXml();
    }

    /** For a leg that answered too late: it hears why, then hangs up. */
    public static String sayAndHangUp(String words) {
        return new VoiceResponse.Builder().say(new Say.Builder(xmlText(words)).build()).hangup(new Hangup.Builder().build()).build().toXml();
    }

    /**
     * The text without what XML 1.0 cannot hold: control characters other than tab, line feed and
     * carriage return, unpaired surrogates, U+FFFE and U+FFFF.
     */
    static String xmlText(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().filter(LegTwiml::isXmlChar).forEach(out::appendCodePoint);
        return out.toString();
    }

    private static boolean isXmlChar(int c) {
        return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000;
    }
}
