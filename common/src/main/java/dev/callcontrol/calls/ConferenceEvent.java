package dev.callcontrol.calls;

import dev.callcontrol.http.HttpError;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * One conference status callback, as Twilio posts it: which conference (its SID and the task SID
 * it is named by), which event, its {@code SequenceNumber}, and for participant events the call
 * and the participant's state.
 */
public record ConferenceEvent(String conferenceSid, String taskSid, String type, long sequence, String callSid, String label,
                              boolean hold, boolean muted, boolean coaching, String callSidToCoach, String leftReason) {
    /** {@code ReasonParticipantLeft} when the conference itself ended and took everyone with it. */
    public static final String LEFT_BECAUSE_CONFERENCE_ENDED = "conference_ended";

    private static final Pattern CONFERENCE_SID = Pattern.compile("^CF[0-9a-fA-F]{32}$");
    private static final Pattern TASK_SID = Pattern.compile("^WT[0-9a-fA-F]{32}$");
    private static final Pattern CALL_SID = Pattern.compile("^CA[0-9a-fA-F]{32}$");

    /** Parses the form, or throws a 400 naming the first bad field. */
    public static ConferenceEvent parse(Map<String, String> form) {
        String conferenceSid = matching(form, "ConferenceSid", CONFERENCE_SID);
        String type = form.get("StatusCallbackEvent");
        if (type == null || !type.matches("^[a-z-]{3,40}$")) {
            throw HttpError.badRequest("StatusCallbackEvent is missing or malformed");
        }
        long sequence;
        try {
            sequence = Long.parseLong(form.getOrDefault("SequenceNumber", ""));
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("SequenceNumber must be a number");
        }
        String name = form.get("FriendlyName");
        String taskSid = name != null && TASK_SID.matcher(name).matches() ? name : null;
        String callSid = null;
        if (type.startsWith("participant-") || form.containsKey("CallSid")) {
            callSid = matching(form, "CallSid", CALL_SID);
        }
        String coach = form.get("CallSidToCoach");
        return new ConferenceEvent(conferenceSid, taskSid, type, sequence, callSid, form.get("ParticipantLabel"),
                "true".equals(form.get("Hold")), "true".equals(form.get("Muted")), "true".equals(form.get("Coaching")),
                coach != null && CALL_SID.matcher(coach).matches() ? coach : null, form.get("ReasonParticipantLeft"));
    }

    private static String matching(Map<String, String> form, String name, Pattern pattern) {
        String value = form.get(name);
        if (value == null || !pattern.matcher(value).matches()) {
            throw HttpError.badRequest(name + " is missing or malformed");
        }
        return value;
    }

    /** A leave caused by the conference ending, rather than by the participant or the API. */
    public boolean leftWithConference() {
        return LEFT_BECAUSE_CONFERENCE_ENDED.equals(leftReason);
    }

    public boolean isParticipantEvent() {
        return type.startsWith("participant-");
    }
}
