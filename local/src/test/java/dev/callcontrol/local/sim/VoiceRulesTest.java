package dev.callcontrol.local.sim;

import com.twilio.exception.ApiException;
import com.twilio.http.HttpMethod;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.Conference;
import com.twilio.rest.api.v2010.account.conference.Participant;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;
import dev.callcontrol.local.LocalDefaults;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Twilio's voice rules as the simulator plays them: calls that ring, answer and end, TwiML fetched
 * and run, and conferences with their participants, hold, mute, coaching, announcements and
 * status callbacks. Driven only as the product (twilio-java) and people (SimClient) drive it.
 */
@SimRulesTest.Simulator(SimFixture.Product.STARTED)
class VoiceRulesTest extends SimRulesTest {
    private static final String FROM = DemoWorkspace.PHONE_NUMBER;
    private static final String DEFAULT_MUSIC = "music:http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical";

    // ---------------------------------------------------------------- calls

    @Test
    void anOutboundCallRingsIsAnsweredRunsItsTwimlAndHangsUpAtTheEnd() {
        // Rule: a REST call rings, runs its Twiml once answered, hangs up when the document ends,
        // and reports each requested progress event (initiated, ringing, answered, completed) signed and numbered.
        String to = "+14155550101";
        Call created = Call.creator(new PhoneNumber(to), new PhoneNumber(FROM), new Twiml("<Response><Say>Hello there</Say></Response>"))
                .setStatusCallback(product.url("/status/hello"))
                .setStatusCallbackEvent(List.of("initiated", "ringing", "answered", "completed"))
                .create(twilio);

        assertEquals(created.getSid(), sim.ringing(to));
        assertEquals(Call.Status.RINGING, Call.fetcher(created.getSid()).fetch(twilio).getStatus());
        assertEquals(Set.of("ringing"), sim.hears(to));

        sim.answer(created.getSid());
        assertEquals(Set.of("say:Hello there"), sim.hears(to));
        assertEquals(Call.Status.IN_PROGRESS, Call.fetcher(created.getSid()).fetch(twilio).getStatus());

        sim.advance(5);
        Call ended = Call.fetcher(created.getSid()).fetch(twilio);
        assertEquals(Call.Status.COMPLETED, ended.getStatus());
        assertEquals(Set.of(), sim.hears(to));

        List<FakeProduct.Hit> events = product.hits("/status/hello");
        assertEquals(List.of("initiated", "ringing", "in-progress", "completed"), events.stream().map(h -> h.param("CallStatus")).toList());
        assertEquals(List.of(0, 1, 2, 3), events.stream().map(h -> Integer.parseInt(h.param("SequenceNumber"))).toList());
        for (FakeProduct.Hit event : events) {
            assertEquals("POST", event.method());
            assertTrue(event.signatureValid(), "signature of " + event);
            assertEquals(created.getSid(), event.param("CallSid"));
            assertEquals("call-progress-events", event.param("CallbackSource"));
            assertEquals(to, event.param("To"));
            assertEquals(FROM, event.param("From"));
        }
        assertNotNull(events.get(3).param("CallDuration"));
    }

    @Test
    void anUnansweredCallEndsNoAnswerWhenItsTimeoutPasses() {
        // Rule: Timeout is how long Twilio lets the phone ring; then the call ends no-answer.
        String to = "+14155550102";
        Call created = Call.creator(new PhoneNumber(to), new PhoneNumber(FROM), new Twiml("<Response><Say>Never heard</Say></Response>"))
                .setTimeout(10)
                .setStatusCallback(product.url("/status/timeout"))
                .create(twilio);
        sim.ringing(to);

        sim.advance(9);
        assertEquals(Call.Status.RINGING, Call.fetcher(created.getSid()).fetch(twilio).getStatus());
        sim.advance(2);

        assertEquals(Call.Status.NO_ANSWER, Call.fetcher(created.getSid()).fetch(twilio).getStatus());
        List<FakeProduct.Hit> events = product.hits("/status/timeout");
        assertEquals(1, events.size(), "only the default completed event: " + events);
        assertEquals("no-answer", events.get(0).param("CallStatus"));
        assertTrue(events.get(0).signatureValid());
    }

    @Test
    void urlTwimlIsFetchedWithTheRequestedMethodAndWaitersHearMusicUntilTheConferenceStarts() {
        // Rule: Url is fetched with Method (signed over the URL with its query for GET); <Conference startConferenceOnEnter="false">
        // participants hear wait music until a participant who starts the conference joins.
        String room = "waiting-room";
        product.twiml("/wait", "<Response><Dial><Conference startConferenceOnEnter=\"false\">" + room + "</Conference></Dial></Response>");
        String first = "+14155550111";
        String second = "+14155550112";
        String starter = "+14155550113";
        Call firstCall = Call.creator(new PhoneNumber(first), new PhoneNumber(FROM), URI.create(product.url("/wait"))).setMethod(HttpMethod.GET).create(twilio);
        Call secondCall = Call.creator(new PhoneNumber(second), new PhoneNumber(FROM), URI.create(product.url("/wait"))).setMethod(HttpMethod.GET).create(twilio);
        sim.answer(firstCall.getSid());
        sim.answer(secondCall.getSid());

        List<FakeProduct.Hit> fetches = product.hits("/wait");
        assertEquals(2, fetches.size());
        for (FakeProduct.Hit fetch : fetches) {
            assertEquals("GET", fetch.method());
            assertTrue(fetch.signatureValid(), "signature of " + fetch);
            assertEquals("in-progress", fetch.param("CallStatus"));
        }
        assertEquals(firstCall.getSid(), fetches.get(0).param("CallSid"));
        assertEquals(Set.of(DEFAULT_MUSIC), sim.hears(first));
        assertEquals(Set.of(DEFAULT_MUSIC), sim.hears(second));
        assertEquals(Conference.Status.INIT, conference(room).getStatus());

        Call starterCall = Call.creator(new PhoneNumber(starter), new PhoneNumber(FROM),
                new Twiml("<Response><Dial><Conference>" + room + "</Conference></Dial></Response>")).create(twilio);
        sim.answer(starterCall.getSid());

        assertEquals(Conference.Status.IN_PROGRESS, conference(room).getStatus());
        assertEquals(Set.of(second, starter), sim.hears(first));
        assertEquals(Set.of(first, starter), sim.hears(second));
        assertEquals(Set.of(first, second), sim.hears(starter));
    }

    @Test
    void aCallerIdThatIsNoNumberOfTheAccountIsRefused() {
        // Rule voice.from.account-number: a From that is neither a Twilio number of the account nor a verified caller ID is 21210,
        // for calls and for participants alike; nothing rings. The account's own numbers are accepted.
        String foreign = "+14155550188";
        ApiException call = assertThrows(ApiException.class, () -> Call.creator(new PhoneNumber("+14155550187"), new PhoneNumber(foreign),
                new Twiml("<Response><Say>Hi</Say></Response>")).create(twilio));
        assertEquals(400, call.getStatusCode());
        assertEquals(21210, call.getCode());
        ApiException participant = assertThrows(ApiException.class,
                () -> Participant.creator("caller-id-room", new PhoneNumber(foreign), new PhoneNumber("+14155550187")).create(twilio));
        assertEquals(21210, participant.getCode());
        assertNull(sim.liveCall("+14155550187"), "nothing rings");

        Call second = Call.creator(new PhoneNumber("+14155550187"), new PhoneNumber(DemoWorkspace.SECOND_NUMBER),
                new Twiml("<Response><Say>Hi</Say></Response>")).create(twilio);
        assertEquals(DemoWorkspace.SECOND_NUMBER, second.getFrom());
    }

    // ---------------------------------------------------------------- participants

    @Test
    void participantsAreAddressedByLabelAndLabelsAreUnique() {
        // Rule: a participant created in a conference named by FriendlyName can be fetched, updated and removed by its label;
        // a label is unique within a conference (16026); a removed participant is gone (20404).
        String room = "label-room";
        Participant agent = Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber("+14155550121")).setLabel("agent").create(twilio);
        sim.answer(agent.getCallSid());
        String conferenceSid = agent.getConferenceSid();
        assertEquals(room, Conference.fetcher(conferenceSid).fetch(twilio).getFriendlyName());

        Participant fetched = Participant.fetcher(conferenceSid, "agent").fetch(twilio);
        assertEquals(agent.getCallSid(), fetched.getCallSid());
        assertEquals("agent", fetched.getLabel());
        assertEquals(Participant.Status.CONNECTED, fetched.getStatus());
        Participant muted = Participant.updater(conferenceSid, "agent").setMuted(true).update(twilio);
        assertTrue(muted.getMuted());
        assertTrue(Participant.fetcher(conferenceSid, agent.getCallSid()).fetch(twilio).getMuted());

        ApiException duplicate = assertThrows(ApiException.class,
                () -> Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber("+14155550122")).setLabel("agent").create(twilio));
        assertEquals(400, duplicate.getStatusCode());
        assertEquals(16026, duplicate.getCode());
        assertEquals(List.of(agent.getCallSid()), participants(conferenceSid).stream().map(Participant::getCallSid).toList());

        Participant.deleter(conferenceSid, "agent").delete(twilio);
        assertEquals(List.of(), participants(conferenceSid));
        ApiException gone = assertThrows(ApiException.class, () -> Participant.deleter(conferenceSid, "agent").delete(twilio));
        assertEquals(404, gone.getStatusCode());
        assertEquals(20404, gone.getCode());
    }

    @Test
    void aHeldParticipantHearsTheHoldUrlFetchedWithGetAndNobodyHearsThem() {
        // Rule: Hold=true plays HoldUrl (fetched with GET unless HoldMethod says otherwise) to the held participant,
        // who is taken out of the conference audio; Hold=false puts them back.
        String room = "hold-room";
        String agent = "+14155550131";
        String customer = "+14155550132";
        product.twiml("/hold-music", "<Response><Play>http://example.com/hold.mp3</Play></Response>");
        String conferenceSid = joinByApi(room, agent, null);
        joinByApi(room, customer, null);
        String customerCall = sim.liveCall(customer).path("callSid").asText();

        Participant held = Participant.updater(conferenceSid, customerCall).setHold(true).setHoldUrl(product.url("/hold-music")).update(twilio);
        assertTrue(held.getHold());

        assertEquals(Set.of("music:http://example.com/hold.mp3"), sim.hears(customer));
        assertEquals(Set.of("silence"), sim.hears(agent));
        assertEquals(0, sim.liveCall(customer).path("heardBy").size());
        List<FakeProduct.Hit> fetches = product.hits("/hold-music");
        assertEquals(1, fetches.size());
        assertEquals("GET", fetches.get(0).method());
        assertTrue(fetches.get(0).signatureValid());
        assertEquals(customerCall, fetches.get(0).param("CallSid"));

        Participant.updater(conferenceSid, customerCall).setHold(false).update(twilio);
        assertEquals(Set.of(agent), sim.hears(customer));
        assertEquals(Set.of(customer), sim.hears(agent));
        assertFalse(Participant.fetcher(conferenceSid, customerCall).fetch(twilio).getHold());
    }

    @Test
    void endConferenceOnExitSetWhileHeldIsIgnoredButSetBeforeHoldingIsKept() {
        // Rule (Twilio quirk): an EndConferenceOnExit change made while the participant is on hold is ignored;
        // set before holding, it holds.
        String room = "quirk-room";
        String agent = "+14155550141";
        String customer = "+14155550142";
        String third = "+14155550143";
        String conferenceSid = joinByApi(room, agent, null);
        joinByApi(room, customer, null);
        String customerCall = sim.liveCall(customer).path("callSid").asText();

        Participant.updater(conferenceSid, customerCall).setHold(true).update(twilio);
        Participant ignored = Participant.updater(conferenceSid, customerCall).setEndConferenceOnExit(true).update(twilio);
        assertFalse(ignored.getEndConferenceOnExit());
        assertFalse(Participant.fetcher(conferenceSid, customerCall).fetch(twilio).getEndConferenceOnExit());
        sim.hangup(customerCall);
        assertEquals(Conference.Status.IN_PROGRESS, Conference.fetcher(conferenceSid).fetch(twilio).getStatus());
        assertEquals("in-progress", sim.liveCall(agent).path("status").asText());

        joinByApi(room, third, null);
        String thirdCall = sim.liveCall(third).path("callSid").asText();
        Participant.updater(conferenceSid, thirdCall).setEndConferenceOnExit(true).update(twilio);
        Participant heldAfter = Participant.updater(conferenceSid, thirdCall).setHold(true).update(twilio);
        assertTrue(heldAfter.getEndConferenceOnExit());
        assertTrue(Participant.fetcher(conferenceSid, thirdCall).fetch(twilio).getEndConferenceOnExit());
        sim.hangup(thirdCall);
        Conference ended = Conference.fetcher(conferenceSid).fetch(twilio);
        assertEquals(Conference.Status.COMPLETED, ended.getStatus());
        assertEquals(Conference.ReasonConferenceEnded.PARTICIPANT_WITH_END_CONFERENCE_ON_EXIT_LEFT, ended.getReasonConferenceEnded());
        assertEquals(thirdCall, ended.getCallSidEndingConference());
        assertEquals(Set.of(), sim.hears(agent));
    }

    @Test
    void aMutedParticipantIsHeardByNobodyButHearsEveryone() {
        // Rule: Muted=true silences the participant to the conference; they still hear it.
        String room = "mute-room";
        String a = "+14155550151";
        String b = "+14155550152";
        String c = "+14155550153";
        String conferenceSid = joinByApi(room, a, null);
        joinByApi(room, b, null);
        joinByApi(room, c, null);
        String cCall = sim.liveCall(c).path("callSid").asText();

        Participant.updater(conferenceSid, cCall).setMuted(true).update(twilio);

        assertEquals(Set.of(b), sim.hears(a));
        assertEquals(Set.of(a), sim.hears(b));
        assertEquals(Set.of(a, b), sim.hears(c));
        assertEquals(0, sim.liveCall(c).path("heardBy").size());
        assertTrue(sim.liveCall(c).path("muted").asBoolean());

        Participant.updater(conferenceSid, cCall).setMuted(false).update(twilio);
        assertEquals(Set.of(b, c), sim.hears(a));
    }

    @Test
    void aCoachIsHeardOnlyByTheCoachedAgentAndCoachingNeedsCallSidToCoach() {
        // Rule: Coaching=true with CallSidToCoach makes a participant a whisper heard only by that call;
        // Coaching without CallSidToCoach is refused.
        String room = "coach-room";
        String customer = "+14155550161";
        String agent = "+14155550162";
        String supervisor = "+14155550163";
        String conferenceSid = joinByApi(room, customer, null);
        joinByApi(room, agent, null);
        String agentCall = sim.liveCall(agent).path("callSid").asText();

        ApiException noTarget = assertThrows(ApiException.class,
                () -> Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber(supervisor)).setCoaching(true).create(twilio));
        assertEquals(400, noTarget.getStatusCode());

        Participant coach = Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber(supervisor))
                .setCoaching(true).setCallSidToCoach(agentCall).create(twilio);
        sim.answer(coach.getCallSid());

        assertEquals(Set.of(agent), sim.hears(customer));
        assertEquals(Set.of(customer, supervisor), sim.hears(agent));
        assertEquals(Set.of(customer, agent), sim.hears(supervisor));
        Participant fetched = Participant.fetcher(conferenceSid, coach.getCallSid()).fetch(twilio);
        assertTrue(fetched.getCoaching());
        assertEquals(agentCall, fetched.getCallSidToCoach());

        // The customer cannot be turned into a coach without naming whom to coach.
        String customerCall = sim.liveCall(customer).path("callSid").asText();
        ApiException refused = assertThrows(ApiException.class,
                () -> Participant.updater(conferenceSid, customerCall).setCoaching(true).update(twilio));
        assertEquals(400, refused.getStatusCode());
        assertFalse(Participant.fetcher(conferenceSid, customerCall).fetch(twilio).getCoaching());
    }

    // ---------------------------------------------------------------- conference lifetime and events

    @Test
    void anEndConferenceOnExitParticipantLeavingEndsTheConferenceForEveryone() {
        // Rule: when a participant with endConferenceOnExit leaves, the conference ends and every other participant's call goes on
        // after <Dial> (here: nothing left, so it hangs up).
        String room = "end-on-exit-room";
        String host = "+14155550171";
        String guest = "+14155550172";
        String other = "+14155550173";
        Call hostCall = Call.creator(new PhoneNumber(host), new PhoneNumber(FROM),
                new Twiml("<Response><Dial><Conference endConferenceOnExit=\"true\">" + room + "</Conference></Dial></Response>")).create(twilio);
        sim.answer(hostCall.getSid());
        String conferenceSid = joinByApi(room, guest, null);
        Call otherCall = Call.creator(new PhoneNumber(other), new PhoneNumber(FROM),
                new Twiml("<Response><Dial><Conference>" + room + "</Conference></Dial></Response>")).create(twilio);
        sim.answer(otherCall.getSid());
        String guestCall = sim.liveCall(guest).path("callSid").asText();
        assertEquals(Set.of(guest, other), sim.hears(host));

        sim.hangup(hostCall.getSid());

        Conference ended = Conference.fetcher(conferenceSid).fetch(twilio);
        assertEquals(Conference.Status.COMPLETED, ended.getStatus());
        assertEquals(Conference.ReasonConferenceEnded.PARTICIPANT_WITH_END_CONFERENCE_ON_EXIT_LEFT, ended.getReasonConferenceEnded());
        assertEquals(hostCall.getSid(), ended.getCallSidEndingConference());
        assertEquals(Call.Status.COMPLETED, Call.fetcher(guestCall).fetch(twilio).getStatus());
        assertEquals(Call.Status.COMPLETED, Call.fetcher(otherCall.getSid()).fetch(twilio).getStatus());
        assertEquals(0, sim.hearing().size());
    }

    @Test
    void theLastParticipantLeavingEndsTheConference() {
        // Rule: a conference ends when its last participant leaves (last-participant-left).
        String room = "last-one-room";
        String a = "+14155550174";
        String b = "+14155550175";
        String conferenceSid = joinByApi(room, a, null);
        joinByApi(room, b, null);

        sim.hangup(sim.liveCall(a).path("callSid").asText());
        assertEquals(Conference.Status.IN_PROGRESS, Conference.fetcher(conferenceSid).fetch(twilio).getStatus());
        String bCall = sim.liveCall(b).path("callSid").asText();
        sim.hangup(bCall);

        Conference ended = Conference.fetcher(conferenceSid).fetch(twilio);
        assertEquals(Conference.Status.COMPLETED, ended.getStatus());
        assertEquals(Conference.ReasonConferenceEnded.LAST_PARTICIPANT_LEFT, ended.getReasonConferenceEnded());
        assertEquals(bCall, ended.getCallSidEndingConference());
    }

    @Test
    void conferenceEventsGoOnlyToTheFirstParticipantsCallbackForTheEventsItAskedFor() {
        // Rule: a conference uses the first participant's ConferenceStatusCallback; later participants' URLs are ignored.
        // Only the subscribed events are sent, each with a strictly increasing SequenceNumber.
        String room = "events-room";
        String first = "+14155550181";
        String second = "+14155550182";
        Participant p1 = Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber(first))
                .setConferenceStatusCallback(product.url("/conference/first"))
                .setConferenceStatusCallbackEvent(List.of("start", "end", "join", "leave", "hold"))
                .create(twilio);
        sim.answer(p1.getCallSid());
        Participant p2 = Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber(second))
                .setConferenceStatusCallback(product.url("/conference/second"))
                .setConferenceStatusCallbackEvent(List.of("start", "end", "join", "leave", "hold", "mute"))
                .create(twilio);
        sim.answer(p2.getCallSid());
        String conferenceSid = p1.getConferenceSid();

        Participant.updater(conferenceSid, p2.getCallSid()).setMuted(true).update(twilio);   // mute was not asked for
        Participant.updater(conferenceSid, p2.getCallSid()).setHold(true).update(twilio);
        Participant.updater(conferenceSid, p2.getCallSid()).setHold(false).update(twilio);
        sim.hangup(p2.getCallSid());
        sim.hangup(p1.getCallSid());

        assertEquals(List.of(), product.hits("/conference/second"));
        List<FakeProduct.Hit> events = product.hits("/conference/first");
        assertEquals(List.of("participant-join", "conference-start", "participant-join", "participant-hold", "participant-unhold",
                        "participant-leave", "participant-leave", "conference-end"),
                events.stream().map(h -> h.param("StatusCallbackEvent")).toList());
        assertEquals(List.of(p1.getCallSid(), p2.getCallSid(), p2.getCallSid(), p2.getCallSid(), p2.getCallSid(), p1.getCallSid()),
                events.stream().filter(h -> h.param("StatusCallbackEvent").startsWith("participant-")).map(h -> h.param("CallSid")).toList());
        int previous = 0;
        for (FakeProduct.Hit event : events) {
            int sequence = Integer.parseInt(event.param("SequenceNumber"));
            assertTrue(sequence > previous, "SequenceNumber " + sequence + " after " + previous + " in " + events);
            previous = sequence;
            assertTrue(event.signatureValid(), "signature of " + event);
            assertEquals("POST", event.method());
            assertEquals(conferenceSid, event.param("ConferenceSid"));
            assertEquals(room, event.param("FriendlyName"));
        }
        assertEquals("true", events.get(3).param("Hold"));
        assertEquals("last-participant-left", events.get(7).param("ReasonConferenceEnded"));
    }

    @Test
    void aConferenceAnnouncementIsHeardByEveryoneUntilItEnds() {
        // Rule: Conference AnnounceUrl plays its <Say> to every participant; when it has been spoken, announcement-end is sent.
        String room = "announce-room";
        String a = "+14155550191";
        String b = "+14155550192";
        String text = "Please hold the line";
        product.twiml("/announcement", "<Response><Say>" + text + "</Say></Response>");
        Participant p1 = Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber(a))
                .setConferenceStatusCallback(product.url("/conference/announce"))
                .setConferenceStatusCallbackEvent(List.of("announcement"))
                .create(twilio);
        sim.answer(p1.getCallSid());
        joinByApi(room, b, null);

        Conference.updater(p1.getConferenceSid()).setAnnounceUrl(URI.create(product.url("/announcement"))).update(twilio);

        assertEquals(Set.of("say:" + text, b), sim.hears(a));
        assertEquals(Set.of("say:" + text, a), sim.hears(b));
        List<FakeProduct.Hit> fetches = product.hits("/announcement");
        assertEquals(1, fetches.size());
        assertEquals("POST", fetches.get(0).method());
        assertTrue(fetches.get(0).signatureValid());
        assertEquals(List.of(), product.hits("/conference/announce"));

        sim.advance(1); // four words take two seconds at Twilio's speaking rate
        assertEquals(Set.of("say:" + text, b), sim.hears(a));
        sim.advance(1);

        assertEquals(Set.of(b), sim.hears(a));
        assertEquals(Set.of(a), sim.hears(b));
        List<FakeProduct.Hit> events = product.hits("/conference/announce");
        assertEquals(List.of("announcement-end"), events.stream().map(h -> h.param("StatusCallbackEvent")).toList());
        assertTrue(events.get(0).signatureValid());
    }

    @Test
    void redirectingACallWithTwimlTakesItOutOfItsConference() {
        // Rule: updating an in-progress call with new Twiml ends what it was doing (its conference) and runs the new document.
        String room = "move-room";
        String a = "+14155550195";
        String b = "+14155550196";
        String c = "+14155550197";
        String conferenceSid = joinByApi(room, a, null);
        joinByApi(room, b, null);
        joinByApi(room, c, null);
        String cCall = sim.liveCall(c).path("callSid").asText();
        assertEquals(Set.of(a, b), sim.hears(c));

        Call.updater(cCall).setTwiml(new Twiml("<Response><Say>You have been moved</Say></Response>")).update(twilio);

        assertEquals(Set.of("say:You have been moved"), sim.hears(c));
        assertEquals(Set.of(b), sim.hears(a));
        assertEquals(Set.of(a), sim.hears(b));
        assertEquals(Set.of(sim.liveCall(a).path("callSid").asText(), sim.liveCall(b).path("callSid").asText()),
                Set.copyOf(participants(conferenceSid).stream().map(Participant::getCallSid).toList()));
        assertEquals(Call.Status.IN_PROGRESS, Call.fetcher(cCall).fetch(twilio).getStatus());
        assertEquals(Conference.Status.IN_PROGRESS, Conference.fetcher(conferenceSid).fetch(twilio).getStatus());
    }

    // ---------------------------------------------------------------- the contract check itself

    @Test
    void formValuesAreCheckedAsTheTypesTwiliosSchemaDeclares() throws Exception {
        // Form values are strings on the wire: a phone number or a numeric label is a string, "true" is a string where the
        // schema says string (Beep), and one value is a one-element array. Only values that do not fit their type are refused.
        Assumptions.assumeTrue(simulator.contractChecked(), "contract check skipped: Twilio's OpenAPI specs not found; set TWILIO_OAI_DIR");
        Participant labelled = Participant.creator("typed-room", new PhoneNumber(FROM), new PhoneNumber("+14155550198"))
                .setLabel("42").setBeep("true").setConferenceStatusCallbackEvent("start").setTimeout(20).create(twilio);
        assertEquals("42", labelled.getLabel());
        assertEquals(List.of(), sim.contractViolations());

        String auth = Base64.getEncoder().encodeToString((LocalDefaults.ACCOUNT_SID + ":" + LocalDefaults.AUTH_TOKEN).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(simulator.baseUrl() + "/2010-04-01/Accounts/" + LocalDefaults.ACCOUNT_SID + "/Calls.json"))
                .header("Authorization", "Basic " + auth).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("To=%2B14155550199&From=%2B15005550006&Twiml=%3CResponse%2F%3E&Timeout=soon&StatusCallbackMethod=PUT"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("Timeout") && refused.body().contains("StatusCallbackMethod"), refused.body());
        assertFalse(refused.body().contains("parameter To") || refused.body().contains("parameter From"), refused.body());
        sim.clearRequests(); // that request broke the contract on purpose
    }

    // ---------------------------------------------------------------- helpers

    /** Adds {@code to} to the conference through the Participants API and answers; returns the conference SID. */
    private static String joinByApi(String room, String to, String label) {
        var creator = Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber(to));
        if (label != null) {
            creator.setLabel(label);
        }
        Participant participant = creator.create(twilio);
        sim.answer(participant.getCallSid());
        return participant.getConferenceSid();
    }

    private static Conference conference(String friendlyName) {
        List<Conference> found = new ArrayList<>();
        Conference.reader().setFriendlyName(friendlyName).read(twilio).forEach(found::add);
        assertEquals(1, found.size(), "conferences named " + friendlyName);
        return found.get(0);
    }

    private static List<Participant> participants(String conferenceSid) {
        List<Participant> found = new ArrayList<>();
        Participant.reader(conferenceSid).read(twilio).forEach(found::add);
        return found;
    }
}
