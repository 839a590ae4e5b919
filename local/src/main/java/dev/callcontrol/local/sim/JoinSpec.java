package dev.callcontrol.local.sim;

/**
 * How a call joins a conference: the {@code <Conference>} attributes
 * (https://www.twilio.com/docs/voice/twiml/conference#attributes) or the participant parameters
 * (https://www.twilio.com/docs/voice/api/conference-participant-resource#request-body-parameters).
 */
record JoinSpec(String label, boolean muted, boolean beep, boolean startOnEnter, boolean endOnExit, boolean coaching,
                String callSidToCoach, String waitUrl, String waitMethod, Callback conferenceCallback) {
}
