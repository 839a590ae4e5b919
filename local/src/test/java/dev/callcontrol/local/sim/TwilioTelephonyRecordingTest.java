package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.Conference;
import com.twilio.rest.api.v2010.account.conference.Recording;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;
import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.twilio.TwilioTelephony;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The product's recording requests ({@link TwilioTelephony#activeRecording},
 * {@link TwilioTelephony#updateRecording}) against the simulator's rules: the running recording is
 * found and paused with the behaviour asked for, and a recording that ended between the list and the
 * update is a 409 {@code no_recording} under either reading of what Twilio answers then.
 */
@SimRulesTest.Simulator(SimFixture.Product.NONE)
class TwilioTelephonyRecordingTest extends SimRulesTest {
    private static final String FROM = DemoWorkspace.PHONE_NUMBER;

    @Test
    void theRunningRecordingIsFoundPausedWithTheBehaviourAskedForAndResumed() {
        String conference = recordedConference("telephony-recording-room", "+14155550601");
        Telephony.Recording running = telephony.activeRecording(conference).orElseThrow();
        assertEquals("in-progress", running.status());

        Telephony.Recording paused = telephony.updateRecording(conference, running.sid(), true, "skip");
        assertEquals(new Telephony.Recording(running.sid(), "paused"), paused);
        JsonNode update = sim.requests().stream().filter(r -> r.path("method").asText().equals("POST")).reduce((a, b) -> b).orElseThrow();
        assertEquals("skip", update.path("parameters").path("PauseBehavior").path(0).asText(), update.toString());
        assertEquals(Optional.of(paused), telephony.activeRecording(conference), "a paused recording is still the running one");

        assertEquals("in-progress", telephony.updateRecording(conference, running.sid(), false, "skip").status());
    }

    @Test
    void aConferenceNotRecordedHasNoRunningRecording() {
        Call call = Call.creator(new PhoneNumber("+14155550602"), new PhoneNumber(FROM),
                new Twiml("<Response><Dial><Conference>telephony-unrecorded-room</Conference></Dial></Response>")).create(twilio);
        sim.answer(call.getSid());
        assertTrue(telephony.activeRecording(conferenceNamed("telephony-unrecorded-room")).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-found", "invalid"})
    void aRecordingThatEndedBeforeTheUpdateIsNoRecordingUnderEitherReading(String variant) {
        sim.selectRule("voice.conference.recording.update-ended", variant);
        String conference = recordedConference("telephony-ended-room-" + variant, "+14155550603");
        String sid = telephony.activeRecording(conference).orElseThrow().sid();
        Recording.updater(conference, sid, Recording.Status.STOPPED).update(twilio);

        CallControlException refused = assertThrows(CallControlException.class, () -> telephony.updateRecording(conference, sid, true, "silence"));
        assertEquals(409, refused.status());
        assertEquals("no_recording", refused.code());
    }

    private static String recordedConference(String room, String to) {
        Call call = Call.creator(new PhoneNumber(to), new PhoneNumber(FROM),
                new Twiml("<Response><Dial><Conference record=\"record-from-start\">" + room + "</Conference></Dial></Response>")).create(twilio);
        sim.answer(call.getSid());
        return conferenceNamed(room);
    }

    private static String conferenceNamed(String room) {
        var conferences = Conference.reader().setFriendlyName(room).read(twilio).iterator();
        assertTrue(conferences.hasNext(), "a conference named " + room);
        return conferences.next().getSid();
    }
}
