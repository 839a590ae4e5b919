package dev.callcontrol.local.sim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a person on a call hears from something other than another person: music (a {@code <Play>},
 * hold or wait music), a {@code <Say>} text, ringing or silence, as {@link Hearing} reports it.
 * Twilio's docs: https://www.twilio.com/docs/voice/twiml/play, https://www.twilio.com/docs/voice/twiml/say,
 * https://www.twilio.com/docs/voice/twiml/conference#attributes-waitUrl.
 */
record Sound(String kind, String detail) {
    static Sound music(String url) {
        return new Sound("music", url);
    }

    static Sound say(String text) {
        return new Sound("say", text);
    }

    static final Sound SILENCE = new Sound("silence", null);
    static final Sound RINGING = new Sound("ringing", null);

    Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sound", kind);
        if (detail != null) {
            out.put(kind.equals("say") ? "text" : "source", detail);
        }
        return out;
    }
}
