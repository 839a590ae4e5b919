package dev.callcontrol.local.sim;

import java.util.Set;

/**
 * A webhook target: URL, method, and the events asked for, as a call's {@code StatusCallback} /
 * {@code StatusCallbackEvent} (https://www.twilio.com/docs/voice/api/call-resource#statuscallback) or a
 * participant's {@code ConferenceStatusCallback} / {@code ConferenceStatusCallbackEvent}
 * (https://www.twilio.com/docs/voice/api/conference-participant-resource#request-body-parameters) give it.
 */
record Callback(String url, String method, Set<String> events) {
    boolean wants(String event) {
        return url != null && !url.isBlank() && events.contains(event);
    }
}
