package dev.callcontrol.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.callcontrol.calls.ConferenceEvent;
import dev.callcontrol.calls.Role;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.HttpError;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static dev.callcontrol.fuzz.Fuzz.check;
import static dev.callcontrol.fuzz.Fuzz.equal;
import static dev.callcontrol.fuzz.Fuzz.expectStatus;

/**
 * A conference status callback as Twilio posts it (a form body, through {@link ApiRequest}), with
 * fuzzed fields, into {@link ConferenceEvent#parse}, and the participant label into {@link Role}.
 * Only a 400 may escape. A parsed event carries a conference SID, a well-formed event name, the
 * posted sequence number, a call SID whenever it is a participant's event, and SIDs only where the
 * form had SIDs.
 */
class ConferenceEventFuzzTest {
    private static final Pattern CONFERENCE = Pattern.compile("^CF[0-9a-fA-F]{32}$");
    private static final Pattern TASK = Pattern.compile("^WT[0-9a-fA-F]{32}$");
    private static final Pattern CALL = Pattern.compile("^CA[0-9a-fA-F]{32}$");
    private static final String[] EVENTS = {"participant-join", "participant-leave", "participant-hold", "participant-unhold",
            "participant-mute", "participant-modify", "conference-start", "conference-end", "announcement-end", "participant-", "x"};
    private static final String[] LEFT_REASONS = {"conference_ended_via_api", "moderator_ended_conference", "participant_updated_via_api",
            "participant_hung_up", "participant_add_failed", "Participant_Hung_Up", ""};
    private static final String[] CALL_STATUSES = {"no-answer", "busy", "in-progress", "failed", "canceled", "completed", "x y"};
    private static final String[] NUMBERS = {"0", "1", "-1", "9223372036854775807", "9223372036854775808", "+5", " 1", "1e3", ""};
    private static final String[] BOOLEANS = {"true", "false", "True", ""};
    private static final String[] LABELS = {"customer", "agent:WK0123456789abcdef0123456789abcdef:WT0123456789abcdef0123456789abcdef",
            "supervisor:WK0123456789abcdef0123456789abcdef", "transfer:", "other", ":", "agent"};

    @FuzzTest(maxDuration = "10m")
    void conferenceEvent(FuzzedDataProvider data) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        add(data, pairs, "ConferenceSid", Fuzz.sidOrText(data, "CF"));
        add(data, pairs, "StatusCallbackEvent", Fuzz.oneOf(data, EVENTS, 30));
        add(data, pairs, "SequenceNumber", Fuzz.oneOf(data, NUMBERS, 25));
        add(data, pairs, "FriendlyName", Fuzz.sidOrText(data, "WT"));
        add(data, pairs, "CallSid", Fuzz.sidOrText(data, "CA"));
        add(data, pairs, "ParticipantLabel", Fuzz.oneOf(data, LABELS, 40));
        add(data, pairs, "Hold", Fuzz.oneOf(data, BOOLEANS, 5));
        add(data, pairs, "Muted", Fuzz.oneOf(data, BOOLEANS, 5));
        add(data, pairs, "Coaching", Fuzz.oneOf(data, BOOLEANS, 5));
        add(data, pairs, "CallSidToCoach", Fuzz.sidOrText(data, "CA"));
        add(data, pairs, "ReasonParticipantLeft", Fuzz.oneOf(data, LEFT_REASONS, 20));
        add(data, pairs, "ParticipantCallStatus", Fuzz.oneOf(data, CALL_STATUSES, 20));
        add(data, pairs, "ReasonConferenceEnded", Fuzz.oneOf(data, new String[]{"conference-ended-via-api", "last-participant-left", "X"}, 20));
        String body = data.consumeBoolean() ? Fuzz.urlEncoded(pairs) : data.consumeRemainingAsString();

        Map<String, String> form;
        try {
            form = ApiRequest.from(Fuzz.event("POST", "/twilio/conference-events", "$default", "",
                    Map.of("Content-Type", "application/x-www-form-urlencoded"), body, false)).form();
        } catch (HttpError e) {
            expectStatus(e, 400);
            return;
        }
        ConferenceEvent event;
        try {
            event = ConferenceEvent.parse(form);
        } catch (HttpError e) {
            expectStatus(e, 400);
            return;
        }
        check(CONFERENCE.matcher(event.conferenceSid()).matches(), "conference SID " + event.conferenceSid());
        equal(form.get("ConferenceSid"), event.conferenceSid(), "conference SID");
        check(event.type().matches("^[a-z-]{3,40}$"), "event " + event.type());
        equal(Long.parseLong(form.get("SequenceNumber")), event.sequence(), "sequence");
        if (event.isParticipantEvent()) {
            check(event.callSid() != null, "participant event without a call SID");
        }
        if (event.callSid() != null) {
            check(CALL.matcher(event.callSid()).matches(), "call SID " + event.callSid());
            equal(form.get("CallSid"), event.callSid(), "call SID");
        }
        if (event.taskSid() != null) {
            check(TASK.matcher(event.taskSid()).matches(), "task SID " + event.taskSid());
            equal(form.get("FriendlyName"), event.taskSid(), "task SID");
        }
        if (event.callSidToCoach() != null) {
            check(CALL.matcher(event.callSidToCoach()).matches(), "coached call SID " + event.callSidToCoach());
        }
        equal("true".equals(form.get("Hold")), event.hold(), "hold");
        equal("true".equals(form.get("Muted")), event.muted(), "muted");
        String left = form.get("ReasonParticipantLeft");
        boolean leave = "participant-leave".equals(event.type());
        equal(leave && ("conference_ended_via_api".equals(left) || "moderator_ended_conference".equals(left)), event.leftWithConference(),
                "left with the conference");
        String status = form.get("ParticipantCallStatus");
        boolean unanswered = status != null && List.of("busy", "no-answer", "failed", "canceled").contains(status);
        equal(leave && ("participant_add_failed".equals(left) || (event.leftReason() == null && unanswered)), event.neverJoined(), "never joined");
        check(!(event.leftWithConference() && event.neverJoined()), "a leave both with the conference and never joined");
        check(List.of("busy", "no-answer", "failed", "canceled").contains(event.unansweredStatus()), "unanswered status " + event.unansweredStatus());
        equal("conference-end".equals(event.type()) && "conference-ended-via-api".equals(form.get("ReasonConferenceEnded")), event.endedViaApi(),
                "ended via the API");

        Role role = Role.ofLabel(event.label());
        check(role != Role.OTHER, "a label named the role 'other'");
        for (String prefix : new String[]{"WK", "WT"}) {
            String sid = Role.sidInLabel(event.label(), prefix);
            check(sid == null || (sid.startsWith(prefix) && sid.length() == 34 && event.label().contains(sid)), "SID " + sid + " in " + event.label());
        }
    }

    private static void add(FuzzedDataProvider data, List<Map.Entry<String, String>> pairs, String name, String value) {
        if (data.consumeInt(0, 5) != 0) {
            pairs.add(Map.entry(name, Fuzz.utf8(value)));
        }
    }
}
