package dev.callcontrol.local.sim;

import com.twilio.exception.ApiException;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.Conference;
import com.twilio.rest.api.v2010.account.conference.Participant;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How participants leave a conference, as the simulator reports it: the {@code ReasonParticipantLeft}
 * and {@code ParticipantCallStatus} of each {@code participant-leave}
 * (https://www.twilio.com/docs/voice/twiml/conference#attributes-status-callback-parameters), the
 * leave of a participant the API added that never answered (changelog 2023-10-25), and the
 * conference rules around labels (16025, 16026) and coaches (13240, 16027, 16028). Each case names
 * the rule of {@code rules.json} it proves; the ambiguous ones run under each variant.
 */
@SimRulesTest.Simulator(SimFixture.Product.STARTED)
class ConferenceLeaveRulesTest extends SimRulesTest {
    private static final String FROM = DemoWorkspace.PHONE_NUMBER;
    private static final String EVENTS = "/conference-events";
    private static final String CALL_STATUS = "/call-status";

    // ---------------------------------------------------------------- ReasonParticipantLeft

    @Test
    void eachWayOfLeavingCarriesTheReasonTwilioDocuments() {
        String room = "reasons-room";
        String host = hostJoins(room, "+14155550201", false);
        String conference = conferenceOf(host);
        String hungUp = joins(room, "+14155550202", null);
        String redirected = joins(room, "+14155550203", null);
        String other = joins(room, "+14155550204", null);

        // [rule voice.conference.leave-reason.hung-up]
        sim.hangup(hungUp);
        assertLeave(hungUp, "participant_hung_up", "completed");

        // [rule voice.conference.leave-reason.updated-via-api]
        Call.updater(redirected).setTwiml(new Twiml("<Response><Say>Moved elsewhere</Say></Response>")).update(twilio);
        assertLeave(redirected, "participant_updated_via_api", "in-progress");

        // [rule voice.conference.participant-leave-parameters]: only participant-leave carries ParticipantCallStatus.
        for (FakeProduct.Hit event : product.hits(EVENTS)) {
            if (!event.param("StatusCallbackEvent").equals("participant-leave")) {
                assertNull(event.param("ParticipantCallStatus"), event.toString());
                assertNull(event.param("ReasonParticipantLeft"), event.toString());
            }
        }

        // [rule voice.conference.leave-reason.conference-ended-via-api]: the others leave with the conference.
        Conference.updater(conference).setStatus(Conference.UpdateStatus.COMPLETED).update(twilio);
        assertLeave(host, "conference_ended_via_api", null);
        assertLeave(other, "conference_ended_via_api", null);
        FakeProduct.Hit end = last("conference-end", null);
        assertEquals("conference-ended-via-api", end.param("ReasonConferenceEnded"));
        hangUpAll();
    }

    @Test
    void anEndConferenceOnExitParticipantLeavingTakesTheOthersWithModeratorEndedConference() {
        // [rule voice.conference.leave-reason.moderator-ended]
        String room = "moderator-room";
        String host = hostJoins(room, "+14155550211", true);
        String guest = joins(room, "+14155550212", "guest");
        sim.hangup(host);
        assertLeave(host, "participant_hung_up", "completed");
        FakeProduct.Hit guestLeft = assertLeave(guest, "moderator_ended_conference", null);
        assertEquals("guest", guestLeft.param("ParticipantLabel"));
        // [rule voice.conference.end-reason]
        FakeProduct.Hit end = last("conference-end", null);
        assertEquals("participant-with-end-conference-on-exit-left", end.param("ReasonConferenceEnded"));
        assertEquals(host, end.param("CallSidEndingConference"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"participant-updated-via-api", "participant-hung-up"})
    void aParticipantRemovedWithDeleteLeavesWithEitherReadingOfTwiliosList(String variant) {
        // [rule voice.conference.leave-reason.participant-removed]
        sim.selectRule("voice.conference.leave-reason.participant-removed", variant);
        String room = "removed-room-" + variant;
        String host = hostJoins(room, "+14155550221", false);
        String removed = joins(room, "+14155550222", null);
        Participant.deleter(conferenceOf(host), removed).delete(twilio);
        assertLeave(removed, variant.replace('-', '_'), null);
        assertEquals(Conference.Status.IN_PROGRESS, Conference.fetcher(conferenceOf(host)).fetch(twilio).getStatus());
        hangUpAll();
    }

    @ParameterizedTest
    @ValueSource(strings = {"participant-hung-up", "participant-updated-via-api"})
    void aCallHungUpThroughTheApiLeavesWithEitherReadingOfTwiliosList(String variant) {
        // [rule voice.conference.leave-reason.call-completed-via-api]
        sim.selectRule("voice.conference.leave-reason.call-completed-via-api", variant);
        String room = "completed-room-" + variant;
        hostJoins(room, "+14155550231", false);
        String ended = joins(room, "+14155550232", null);
        Call.updater(ended).setStatus(Call.UpdateStatus.COMPLETED).update(twilio);
        assertLeave(ended, variant.replace('-', '_'), "completed");
        hangUpAll();
    }

    // ---------------------------------------------------------------- a participant the API added that never answers

    @ParameterizedTest
    @ValueSource(strings = {"after-status-callback", "before-status-callback"})
    void aParticipantThatIsNotAnsweredIsReportedWithParticipantLeaveAndItsCallStatus(String order) {
        // [rule voice.participant.add-failed-leave] [rule voice.participant.add-failed-leave-order]
        sim.selectRule("voice.participant.add-failed-leave-order", order);
        String room = "add-failed-room-" + order;
        String host = hostJoins(room, "+14155550241", false);
        String conference = conferenceOf(host);
        String ringsOut = ringing(room, "+14155550242", "transfer:1", 10);
        String busy = ringing(room, "+14155550243", "transfer:2", 30);
        String withdrawn = ringing(room, "+14155550244", "transfer:3", 30);

        sim.advance(11);
        sim.decline(busy);
        Participant.deleter(conference, withdrawn).delete(twilio);

        for (Map.Entry<String, String> leg : Map.of(ringsOut, "no-answer", busy, "busy", withdrawn, "canceled").entrySet()) {
            FakeProduct.Hit leave = assertLeave(leg.getKey(), "participant_add_failed", leg.getValue());
            assertTrue(leave.param("ParticipantLabel").startsWith("transfer:"), leave.toString());
            assertTrue(product.hits(EVENTS).stream().noneMatch(h -> h.param("StatusCallbackEvent").equals("participant-join")
                    && leg.getKey().equals(h.param("CallSid"))), "a leg that never answered never joined");
            sim.hearing();
            List<FakeProduct.Hit> all = product.hits();
            int leaveAt = all.indexOf(leave);
            int statusAt = -1;
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).path().equals(CALL_STATUS) && leg.getKey().equals(all.get(i).param("CallSid"))) {
                    statusAt = i;
                    assertEquals(leg.getValue(), all.get(i).param("CallStatus"));
                }
            }
            assertTrue(statusAt >= 0, "the call's own status callback came too");
            assertEquals(order.equals("before-status-callback"), leaveAt < statusAt, order + ": leave at " + leaveAt + ", status callback at " + statusAt);
        }
        assertEquals(Conference.Status.IN_PROGRESS, Conference.fetcher(conference).fetch(twilio).getStatus());
        hangUpAll();
    }

    @Test
    void aParticipantStillRingingWhenTheConferenceEndsIsReportedCanceled() {
        // [rule voice.participant.add-failed-leave]: the conference's end cancels it.
        String room = "ended-while-ringing-room";
        String host = hostJoins(room, "+14155550251", true);
        String ringing = ringing(room, "+14155550252", "transfer:9", 30);
        sim.hangup(host);
        assertLeave(ringing, "participant_add_failed", "canceled");
        assertEquals(Call.Status.CANCELED, Call.fetcher(ringing).fetch(twilio).getStatus());
    }

    // ---------------------------------------------------------------- labels

    @Test
    void aLabelInUseIsRefusedByTheApiWith16026AndSkipsTheTwimlJoinWith16025() {
        String room = "label-in-use-room";
        String host = hostJoins(room, "+14155550261", false);
        joins(room, "+14155550262", "agent");

        // [rule voice.participant.label-in-use]
        ApiException refused = assertThrows(ApiException.class,
                () -> Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber("+14155550263")).setLabel("agent").create(twilio));
        assertEquals(400, refused.getStatusCode());
        assertEquals(16026, refused.getCode());

        // [rule voice.twiml.conference.label-in-use]: not added, and the call goes on with the next verb.
        String twin = "+14155550264";
        Call call = Call.creator(new PhoneNumber(twin), new PhoneNumber(FROM), new Twiml(
                "<Response><Dial><Conference participantLabel=\"agent\">" + room + "</Conference></Dial><Say>That label is taken</Say></Response>")).create(twilio);
        sim.answer(call.getSid());
        assertEquals(Set.of("say:That label is taken"), sim.hears(twin));
        assertFalse(participantCalls(conferenceOf(host)).contains(call.getSid()));
        assertEquals(List.of(16025), alertCodes());
        sim.clearAlerts();
        hangUpAll();
    }

    // ---------------------------------------------------------------- coaches

    @Test
    void aTwimlCoachOfACallNotInTheConferenceFailsToTheActionUrlWith13240() {
        // [rule voice.twiml.conference.coach-not-in-conference]
        String room = "coach-gone-room";
        String host = hostJoins(room, "+14155550271", false);
        String agent = joins(room, "+14155550272", null);
        sim.hangup(agent);
        product.twiml("/dial-done", "<Response><Say>Nobody to coach</Say></Response>");
        String supervisor = "+14155550273";
        Call call = Call.creator(new PhoneNumber(supervisor), new PhoneNumber(FROM), new Twiml("<Response><Dial action=\"" + product.url("/dial-done")
                + "\"><Conference coach=\"" + agent + "\">" + room + "</Conference></Dial></Response>")).create(twilio);
        sim.answer(call.getSid());
        assertEquals(Set.of("say:Nobody to coach"), sim.hears(supervisor));
        assertEquals("failed", product.hits("/dial-done").get(0).param("DialCallStatus"));
        assertFalse(participantCalls(conferenceOf(host)).contains(call.getSid()));
        assertEquals(List.of(13240), alertCodes());
        sim.clearAlerts();
        hangUpAll();
    }

    @Test
    void anApiCoachOfACallNotInTheConferenceOrOnHoldIsRefused() {
        String room = "api-coach-room";
        String host = hostJoins(room, "+14155550281", false);
        String conference = conferenceOf(host);
        String agent = joins(room, "+14155550282", null);
        String supervisor = joins(room, "+14155550283", null);
        String gone = joins(room, "+14155550284", null);
        sim.hangup(gone);
        product.twiml("/hold", "<Response><Play>https://example.com/hold.mp3</Play></Response>");

        // [rule voice.participant.coach-not-in-conference]
        ApiException notPresent = assertThrows(ApiException.class, () -> Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber("+14155550285"))
                .setCoaching(true).setCallSidToCoach(gone).create(twilio));
        assertEquals(16028, notPresent.getCode());
        Participant.updater(conference, agent).setHold(true).setHoldUrl(java.net.URI.create(product.url("/hold"))).update(twilio);
        ApiException held = assertThrows(ApiException.class, () -> Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber("+14155550286"))
                .setCoaching(true).setCallSidToCoach(agent).create(twilio));
        assertEquals(16027, held.getCode());
        // [rule voice.participant.update-coach-not-in-conference]
        ApiException update = assertThrows(ApiException.class,
                () -> Participant.updater(conference, supervisor).setCoaching(true).setCallSidToCoach(gone).update(twilio));
        assertEquals(400, update.getStatusCode());
        assertEquals(16028, update.getCode());
        assertFalse(Participant.fetcher(conference, supervisor).fetch(twilio).getCoaching());

        // [rule voice.participant.coaching-default]: CallSidToCoach alone makes a coach.
        Participant.updater(conference, agent).setHold(false).update(twilio);
        Participant coach = Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber("+14155550287")).setCallSidToCoach(agent).create(twilio);
        sim.answer(coach.getCallSid());
        assertTrue(Participant.fetcher(conference, coach.getCallSid()).fetch(twilio).getCoaching());
        hangUpAll();
    }

    // ---------------------------------------------------------------- helpers

    /** The first participant, whose callbacks the conference uses: joined through the API and answered. */
    private static String hostJoins(String room, String to, boolean endConferenceOnExit) {
        Participant host = Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber(to))
                .setConferenceStatusCallback(product.url(EVENTS))
                .setConferenceStatusCallbackEvent(List.of("start", "end", "join", "leave"))
                .setEndConferenceOnExit(endConferenceOnExit)
                .create(twilio);
        sim.answer(host.getCallSid());
        return host.getCallSid();
    }

    private static String joins(String room, String to, String label) {
        String sid = ringing(room, to, label, 30);
        sim.answer(sid);
        return sid;
    }

    private static String ringing(String room, String to, String label, int timeout) {
        var creator = Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber(to))
                .setStatusCallback(product.url(CALL_STATUS)).setTimeout(timeout);
        if (label != null) {
            creator.setLabel(label);
        }
        return creator.create(twilio).getCallSid();
    }

    /** The SID of the conference a call is (or was) a participant of, from its participant-join. */
    private static String conferenceOf(String callSid) {
        return last("participant-join", callSid).param("ConferenceSid");
    }

    /** The one participant-leave of this call, with its reason and (when given) call status. */
    private static FakeProduct.Hit assertLeave(String callSid, String reason, String callStatus) {
        FakeProduct.Hit leave = last("participant-leave", callSid);
        assertEquals(reason, leave.param("ReasonParticipantLeft"), leave.toString());
        if (callStatus != null) {
            assertEquals(callStatus, leave.param("ParticipantCallStatus"), leave.toString());
        }
        return leave;
    }

    private static FakeProduct.Hit last(String event, String callSid) {
        sim.hearing(); // the control API answers once the webhooks a REST request caused are delivered
        List<FakeProduct.Hit> found = product.hits(EVENTS).stream()
                .filter(h -> h.param("StatusCallbackEvent").equals(event) && (callSid == null || callSid.equals(h.param("CallSid")))).toList();
        assertEquals(1, found.size(), event + " of " + callSid + " in " + product.hits(EVENTS));
        return found.get(0);
    }

    private static List<String> participantCalls(String conference) {
        List<String> out = new ArrayList<>();
        Participant.reader(conference).read(twilio).forEach(p -> out.add(p.getCallSid()));
        return out;
    }

    private static List<Integer> alertCodes() {
        List<Integer> out = new ArrayList<>();
        sim.alerts().forEach(a -> out.add(a.path("code").asInt()));
        return out;
    }

    private static void hangUpAll() {
        for (int i = 0; i < 50 && !sim.hearing().isEmpty(); i++) {
            sim.hangup(sim.hearing().get(0).path("callSid").asText());
        }
    }
}
