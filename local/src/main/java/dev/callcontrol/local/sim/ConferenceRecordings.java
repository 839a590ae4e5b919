package dev.callcontrol.local.sim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.callcontrol.local.sim.Voice.FETCH_TIMEOUT;
import static dev.callcontrol.local.sim.Voice.page;

/**
 * Conference recordings: a conference whose participants asked for {@code record-from-start} is
 * recorded from the moment it starts until it ends; the Conference Recording resource lists, fetches
 * and updates them (pause, resume, stop; https://www.twilio.com/docs/voice/api/recording), and the
 * recording status callback hears of them. Every method runs under the world's lock.
 */
final class ConferenceRecordings {
    /** The events a recording status callback gets when none are named: completed only. */
    static final Set<String> DEFAULT_EVENTS = Set.of("completed");

    private final SimWorld world;
    private final Map<String, ConferenceRecording> recordings = new LinkedHashMap<>();
    /** What the conferences not yet started were asked to record with, by conference SID. */
    private final Map<String, Callback> asked = new LinkedHashMap<>();

    ConferenceRecordings(SimWorld world) {
        this.world = world;
    }

    /**
     * A participant joining {@code conference} asks for it to be recorded from its start, its
     * recording's status going to {@code callback} (which may have no URL).
     */
    void recordFromStart(Conference conference, Callback callback) {
        // [rule voice.conference.recording.settings]
        if (conference.status.equals("init")) {
            asked.putIfAbsent(conference.sid, callback);
        }
    }

    /** The conference has started: its recording starts, if one was asked for. */
    void conferenceStarted(Conference conference) {
        // [rule voice.conference.recording.start]
        Callback callback = asked.remove(conference.sid);
        if (callback == null) {
            return;
        }
        ConferenceRecording recording = new ConferenceRecording(world, conference, callback);
        recordings.put(recording.sid, recording);
        statusCallback(recording, "in-progress");
    }

    /** The conference has ended: its recording, paused or not, is complete. */
    void conferenceEnded(Conference conference) {
        asked.remove(conference.sid);
        for (ConferenceRecording recording : of(conference)) {
            if (recording.active()) {
                // [rule voice.conference.recording.complete]
                recording.moveTo("completed", null, world.now());
                statusCallback(recording, "completed");
            }
        }
    }

    private List<ConferenceRecording> of(Conference conference) {
        return recordings.values().stream().filter(r -> r.conference == conference).toList();
    }

    // ---------------------------------------------------------------- REST

    Object list(TwilioSimulator.Call request) {
        Conference conference = world.conferences.conference(request);
        // [rule voice.conference.recording.list]
        return page(world, request, "recordings", "RE", of(conference), r -> r.sid, this::json);
    }

    Object fetch(TwilioSimulator.Call request) {
        return json(recording(request));
    }

    Object update(TwilioSimulator.Call request) {
        ConferenceRecording recording = recording(request);
        String status = request.first("Status");
        if (!recording.active()) {
            // [rule voice.conference.recording.update-ended]
            if (world.rules.is("voice.conference.recording.update-ended", "not-found")) {
                throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
            }
            throw new TwilioError(400, 20001, "Recording " + recording.sid + " is " + recording.status + " and can no longer be updated");
        }
        // [rule voice.conference.recording.update]
        String behavior = request.first("PauseBehavior");
        if (behavior != null && !behavior.equals("skip") && !behavior.equals("silence")) {
            throw new TwilioError(400, 20001, "PauseBehavior must be skip or silence, not " + behavior);
        }
        switch (status == null ? "" : status) {
            case "paused" -> {
                if (!recording.status.equals("paused")) {
                    recording.moveTo("paused", behavior == null ? "silence" : behavior, world.now());
                }
            }
            case "in-progress" -> {
                if (!recording.status.equals("in-progress")) {
                    recording.moveTo("in-progress", null, world.now());
                }
            }
            case "stopped" -> {
                recording.moveTo("stopped", null, world.now());
                statusCallback(recording, "completed");
            }
            default -> throw new TwilioError(400, 20001, "Status must be paused, in-progress or stopped, not " + status);
        }
        return json(recording);
    }

    private ConferenceRecording recording(TwilioSimulator.Call request) {
        Conference conference = world.conferences.conference(request);
        String sid = request.variable(3);
        ConferenceRecording recording;
        if ("Twilio.CURRENT".equals(sid)) {
            // [rule voice.conference.recording.current]
            recording = of(conference).stream().filter(ConferenceRecording::active).reduce((a, b) -> b).orElse(null);
        } else {
            recording = recordings.get(sid);
        }
        if (recording == null || recording.conference != conference) {
            throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
        }
        return recording;
    }

    Map<String, Object> json(ConferenceRecording recording) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("account_sid", world.accountSid);
        out.put("api_version", "2010-04-01");
        out.put("call_sid", null);
        out.put("conference_sid", recording.conference.sid);
        out.put("date_created", world.rfc2822(recording.created));
        out.put("date_updated", world.rfc2822(recording.updated));
        out.put("start_time", world.rfc2822(recording.created));
        out.put("duration", recording.active() ? null : String.valueOf(recording.length(world.now()).toSeconds()));
        out.put("sid", recording.sid);
        out.put("price", null);
        out.put("price_unit", "USD");
        out.put("status", recording.status);
        out.put("channels", 1);
        out.put("source", "Conference");
        out.put("error_code", null);
        out.put("encryption_details", null);
        out.put("uri", "/2010-04-01/Accounts/" + world.accountSid + "/Conferences/" + recording.conference.sid + "/Recordings/" + recording.sid + ".json");
        return out;
    }

    /** Seconds of audio a recording holds now (the control API's view, for tests). */
    long seconds(ConferenceRecording recording) {
        return recording.length(world.now()).toSeconds();
    }

    private void statusCallback(ConferenceRecording recording, String event) {
        Callback callback = recording.callback;
        if (callback == null || !callback.wants(event)) {
            return;
        }
        // [rule voice.conference.recording.status-callback]
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("AccountSid", world.accountSid);
        parameters.put("ConferenceSid", recording.conference.sid);
        parameters.put("RecordingSid", recording.sid);
        parameters.put("RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/" + world.accountSid + "/Recordings/" + recording.sid);
        parameters.put("RecordingStatus", event);
        parameters.put("RecordingDuration", event.equals("completed") ? String.valueOf(seconds(recording)) : "0");
        parameters.put("RecordingChannels", "1");
        parameters.put("RecordingStartTime", world.rfc2822(recording.created));
        parameters.put("RecordingSource", "Conference");
        world.outbox.sendEvent("recording " + event + " of " + recording.conference.friendlyName, callback.method(), callback.url(), parameters,
                FETCH_TIMEOUT, response -> {
                    if (!response.ok()) {
                        world.alert(15003, "Recording status callback to " + callback.url() + " got an error: " + response.describe());
                    }
                });
    }
}
