package dev.callcontrol.calls;

import dev.callcontrol.http.HttpError;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One conference status callback, as Twilio posts it: which conference (its SID and the task SID
 * it is named by), which event, its {@code SequenceNumber}, and for participant events the call
 * and the participant's state. A {@code participant-leave} also says why the participant left
 * ({@code ReasonParticipantLeft}) and its call's status ({@code ParticipantCallStatus}); a
 * {@code conference-end} says why the conference ended ({@code ReasonConferenceEnded}). The values
 * are the ones Twilio's {@code <Conference>} documentation lists
 * (https://www.twilio.com/docs/voice/twiml/conference#attributes-status-callback-parameters).
 */
public record ConferenceEvent(String conferenceSid, String taskSid, String type, long sequence, String callSid, String label,
                              boolean hold, boolean muted, boolean coaching, String callSidToCoach, String leftReason,
                              String participantCallStatus, String endedReason) {
    /** {@code ReasonParticipantLeft}: the participant's call hung up. */
    public static final String LEFT_HUNG_UP = "participant_hung_up";
    /** {@code ReasonParticipantLeft}: the API took the participant out (new TwiML for its call; perhaps a removal). */
    public static final String LEFT_UPDATED_VIA_API = "participant_updated_via_api";
    /** {@code ReasonParticipantLeft}: the conference was ended with the API, and took everyone with it. */
    public static final String LEFT_CONFERENCE_ENDED_VIA_API = "conference_ended_via_api";
    /** {@code ReasonParticipantLeft}: a participant with {@code endConferenceOnExit} left, and the conference took everyone with it. */
    public static final String LEFT_MODERATOR_ENDED_CONFERENCE = "moderator_ended_conference";
    /** {@code ReasonParticipantLeft}: a participant the Participants API added never connected. */
    public static final String LEFT_ADD_FAILED = "participant_add_failed";
    /** {@code ReasonConferenceEnded} when the conference was ended with the API. */
    public static final String ENDED_VIA_API = "conference-ended-via-api";

    /** Final call statuses of a leg that never connected. */
    private static final Set<String> UNANSWERED = Set.of("busy", "no-answer", "failed", "canceled");

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
                coach != null && CALL_SID.matcher(coach).matches() ? coach : null, token(form.get("ReasonParticipantLeft")),
                token(form.get("ParticipantCallStatus")), token(form.get("ReasonConferenceEnded")));
    }

    /** A value Twilio sends as a lower-case token, or null for anything else (it is compared, never trusted further). */
    private static String token(String value) {
        return value != null && value.matches("^[a-z_-]{1,64}$") ? value : null;
    }

    private static String matching(Map<String, String> form, String name, Pattern pattern) {
        String value = form.get(name);
        if (value == null || !pattern.matcher(value).matches()) {
            throw HttpError.badRequest(name + " is missing or malformed");
        }
        return value;
    }

    /**
     * A leave caused by the conference ending and taking everyone with it (ended with the API, or by
     * a participant with {@code endConferenceOnExit} leaving), rather than by this participant or
     * the API acting on it: the participant did not leave the call, the call ended around them.
     */
    public boolean leftWithConference() {
        return type.equals("participant-leave")
                && (LEFT_CONFERENCE_ENDED_VIA_API.equals(leftReason) || LEFT_MODERATOR_ENDED_CONFERENCE.equals(leftReason));
    }

    /**
     * A leave of a participant that never connected: one the Participants API added whose call was
     * not answered ({@code participant_add_failed}; with no reason given, a {@code ParticipantCallStatus}
     * of busy, no-answer, failed or canceled). It was never in the conference.
     */
    public boolean neverJoined() {
        return type.equals("participant-leave")
                && (LEFT_ADD_FAILED.equals(leftReason) || (leftReason == null && participantCallStatus != null && UNANSWERED.contains(participantCallStatus)));
    }

    /** For a leg that {@link #neverJoined()}: its final call status ({@code failed} when Twilio gave none of the unanswered ones). */
    public String unansweredStatus() {
        return participantCallStatus != null && UNANSWERED.contains(participantCallStatus) ? participantCallStatus : "failed";
    }

    /** A {@code conference-end} because the API ended it (an agent's or supervisor's hang-up), not a participant leaving. */
    public boolean endedViaApi() {
        return type.equals("conference-end") && ENDED_VIA_API.equals(endedReason);
    }

    public boolean isParticipantEvent() {
        return type.startsWith("participant-");
    }
}
