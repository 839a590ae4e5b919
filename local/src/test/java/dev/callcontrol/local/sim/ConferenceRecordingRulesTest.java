package dev.callcontrol.local.sim;

import com.twilio.exception.ApiException;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.conference.Recording;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conference recordings as the simulator plays them: started by {@code record-from-start}, listed,
 * fetched, paused (skip or silence), resumed and stopped through the Conference Recording resource,
 * completed when the conference ends, and reported to the recording status callback. Each case names
 * the rule of {@code rules.json} it proves; the ambiguous one runs under each reading.
 */
@SimRulesTest.Simulator(SimFixture.Product.STARTED)
class ConferenceRecordingRulesTest extends SimRulesTest {
    private static final String FROM = DemoWorkspace.PHONE_NUMBER;
    private static final String RECORDING_EVENTS = "/recording-events";

    @Test
    void recordFromStartRecordsTheConferenceFromItsStartAndSaysSo() {
        // [rule voice.conference.recording.start], [rule voice.conference.recording.list], [rule voice.conference.recording.status-callback]
        String room = "recorded-room";
        String call = joins(room, "+14155550301", " record=\"record-from-start\" recordingStatusCallback=\"" + product.url(RECORDING_EVENTS)
                + "\" recordingStatusCallbackEvent=\"in-progress completed\"");
        String conference = conferenceOf(room);
        List<Recording> recordings = list(conference);
        assertEquals(1, recordings.size());
        Recording recording = recordings.get(0);
        assertEquals(Recording.Status.IN_PROGRESS, recording.getStatus());
        assertEquals(Recording.Source.CONFERENCE, recording.getSource());
        assertEquals(conference, recording.getConferenceSid());
        assertEquals(recording.getSid(), Recording.fetcher(conference, recording.getSid()).fetch(twilio).getSid());

        List<FakeProduct.Hit> events = product.hits(RECORDING_EVENTS);
        assertEquals(List.of("in-progress"), events.stream().map(h -> h.param("RecordingStatus")).toList());
        FakeProduct.Hit started = events.get(0);
        assertTrue(started.signatureValid(), started.toString());
        assertEquals(conference, started.param("ConferenceSid"));
        assertEquals(recording.getSid(), started.param("RecordingSid"));
        assertEquals("Conference", started.param("RecordingSource"));
    }

    @Test
    void aConferenceNotAskedToRecordHasNoRecording() {
        String room = "unrecorded-room";
        joins(room, "+14155550302", "");
        assertEquals(List.of(), list(conferenceOf(room)));
    }

    @Test
    void aPauseWithSkipIsLeftOutAndTheRecordingCompletesWhenTheConferenceEnds() {
        // [rule voice.conference.recording.update], [rule voice.conference.recording.complete]
        String room = "skip-room";
        String call = joins(room, "+14155550303", " record=\"record-from-start\" recordingStatusCallback=\"" + product.url(RECORDING_EVENTS) + "\"");
        String conference = conferenceOf(room);
        String sid = list(conference).get(0).getSid();
        sim.advance(10);
        Recording paused = Recording.updater(conference, sid, Recording.Status.PAUSED).setPauseBehavior("skip").update(twilio);
        assertEquals(Recording.Status.PAUSED, paused.getStatus());
        assertEquals(Recording.Status.PAUSED, Recording.updater(conference, sid, Recording.Status.PAUSED).update(twilio).getStatus(),
                "pausing a paused recording leaves it paused");
        sim.advance(20);
        assertEquals(Recording.Status.IN_PROGRESS, Recording.updater(conference, sid, Recording.Status.IN_PROGRESS).update(twilio).getStatus());
        sim.advance(5);
        sim.hangup(call);

        Recording done = Recording.fetcher(conference, sid).fetch(twilio);
        assertEquals(Recording.Status.COMPLETED, done.getStatus());
        assertEquals("15", done.getDuration(), "ten seconds, the pause left out, five seconds");
        List<FakeProduct.Hit> events = product.hits(RECORDING_EVENTS);
        assertEquals(List.of("completed"), events.stream().map(h -> h.param("RecordingStatus")).toList(), "completed only, by default");
        assertEquals("15", events.get(0).param("RecordingDuration"));
    }

    @Test
    void aPauseWithSilenceByDefaultKeepsItsLength() {
        String room = "silence-room";
        String call = joins(room, "+14155550304", " record=\"record-from-start\"");
        String conference = conferenceOf(room);
        String sid = list(conference).get(0).getSid();
        sim.advance(10);
        Recording.updater(conference, sid, Recording.Status.PAUSED).update(twilio);
        sim.advance(20);
        sim.hangup(call);
        assertEquals("30", Recording.fetcher(conference, sid).fetch(twilio).getDuration());
    }

    @Test
    void twilioCurrentNamesTheRecordingStillRunningAndStoppedEndsIt() {
        // [rule voice.conference.recording.current]
        String room = "current-room";
        String call = joins(room, "+14155550305", " record=\"record-from-start\" recordingStatusCallback=\"" + product.url(RECORDING_EVENTS) + "\"");
        String conference = conferenceOf(room);
        String sid = list(conference).get(0).getSid();
        Recording paused = Recording.updater(conference, "Twilio.CURRENT", Recording.Status.PAUSED).update(twilio);
        assertEquals(sid, paused.getSid());
        assertEquals(sid, Recording.updater(conference, "Twilio.CURRENT", Recording.Status.STOPPED).update(twilio).getSid());
        assertEquals(Recording.Status.STOPPED, Recording.fetcher(conference, sid).fetch(twilio).getStatus());
        // The status callback goes out after the REST answer: a control request waits until the webhooks in flight are delivered.
        sim.hearing();
        assertEquals(List.of("completed"), product.hits(RECORDING_EVENTS).stream().map(h -> h.param("RecordingStatus")).toList());
        ApiException none = assertThrows(ApiException.class,
                () -> Recording.updater(conference, "Twilio.CURRENT", Recording.Status.IN_PROGRESS).update(twilio));
        assertEquals(404, none.getStatusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-found", "invalid"})
    void aRecordingThatEndedCannotBeUpdatedUnderEitherReading(String variant) {
        // [rule voice.conference.recording.update-ended]
        sim.selectRule("voice.conference.recording.update-ended", variant);
        String room = "ended-room-" + variant;
        String call = joins(room, "+14155550306", " record=\"record-from-start\"");
        String conference = conferenceOf(room);
        String sid = list(conference).get(0).getSid();
        sim.hangup(call);
        ApiException refused = assertThrows(ApiException.class, () -> Recording.updater(conference, sid, Recording.Status.PAUSED).update(twilio));
        assertEquals(variant.equals("not-found") ? 404 : 400, refused.getStatusCode());
        assertEquals(Recording.Status.COMPLETED, Recording.fetcher(conference, sid).fetch(twilio).getStatus());
    }

    // ---------------------------------------------------------------- helpers

    /** A call placed to {@code to} that, once answered, joins {@code room} with these extra {@code <Conference>} attributes. */
    private static String joins(String room, String to, String attributes) {
        Call call = Call.creator(new PhoneNumber(to), new PhoneNumber(FROM),
                new Twiml("<Response><Dial><Conference" + attributes + ">" + room + "</Conference></Dial></Response>")).create(twilio);
        sim.answer(call.getSid());
        return call.getSid();
    }

    /** The SID of the conference named {@code room} (each case names its own). */
    private static String conferenceOf(String room) {
        var conferences = com.twilio.rest.api.v2010.account.Conference.reader().setFriendlyName(room).read(twilio).iterator();
        assertTrue(conferences.hasNext(), "a conference named " + room);
        return conferences.next().getSid();
    }

    private static List<Recording> list(String conference) {
        return StreamSupport.stream(Recording.reader(conference).read(twilio).spliterator(), false).toList();
    }
}
