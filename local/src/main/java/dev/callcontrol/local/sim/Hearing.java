package dev.callcontrol.local.sim;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import static dev.callcontrol.local.sim.Voice.DEFAULT_MUSIC;
import static dev.callcontrol.local.sim.Voice.FETCH_TIMEOUT;

/**
 * Who hears whom, the simulator's answer to {@code GET /sim/hearing}: for every live call, the other
 * parties of its started conference that are not held or muted (a coaching participant only by the
 * call it coaches, https://www.twilio.com/docs/voice/api/conference-participant-resource#request-body-parameters),
 * or its hold music ({@code HoldUrl}), its conference's wait music
 * (https://www.twilio.com/docs/voice/twiml/conference#attributes-waitUrl), an announcement, a
 * {@code <Say>} or {@code <Play>}, ringing or silence; and who hears that call. It also fetches those
 * sounds (hold, wait and announcement URLs) and says how long speech lasts. Every method runs under
 * the world's lock.
 */
final class Hearing {
    private final SimWorld world;

    Hearing(SimWorld world) {
        this.world = world;
    }

    /**
     * What a URL plays: an audio file is music; a TwiML document plays its first {@code <Play>} or
     * {@code <Say>}. No URL means Twilio's default music; an empty one means silence.
     */
    void fetchSound(String forSid, String url, String method, Consumer<Sound> apply) {
        if (url == null) {
            apply.accept(Sound.music(DEFAULT_MUSIC));
            return;
        }
        if (url.isBlank()) {
            apply.accept(Sound.SILENCE);
            return;
        }
        if (isAudio(url)) {
            apply.accept(Sound.music(url));
            return;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("AccountSid", world.accountSid);
        SimCall call = world.calls.find(forSid);
        if (call != null) {
            parameters.putAll(world.calls.callParameters(call));
        }
        world.outbox.send("music for " + forSid, method, url, parameters, FETCH_TIMEOUT, response -> {
            if (!response.ok()) {
                world.alert(11200, "HTTP retrieval failure: " + method + " " + url + ": " + response.describe());
                apply.accept(Sound.SILENCE);
                return;
            }
            if (response.contentType() != null && response.contentType().startsWith("audio/")) {
                apply.accept(Sound.music(url));
                return;
            }
            try {
                Sound sound = Sound.SILENCE;
                for (Twiml.Verb verb : Twiml.parse(response.body())) {
                    if (verb.name().equals("Play")) {
                        sound = Sound.music(verb.text());
                        break;
                    }
                    if (verb.name().equals("Say")) {
                        sound = Sound.say(verb.text());
                        break;
                    }
                }
                apply.accept(sound);
            } catch (Twiml.Invalid e) {
                world.alert(12100, "Document parse failure for " + url + ": " + e.getMessage());
                apply.accept(Sound.SILENCE);
            }
        });
    }

    private static boolean isAudio(String url) {
        URI uri = URI.create(url.replace(" ", "%20"));
        String path = uri.getPath();
        String host = uri.getHost();
        return (path != null && path.toLowerCase(Locale.ROOT).matches(".*\\.(mp3|wav|ogg|aif|aiff|gsm|ulaw)$"))
                || (host != null && (host.endsWith("twimlets.com") || host.endsWith("amazonaws.com") || host.endsWith("twil.io")));
    }

    /** About 2.5 words a second, at least one second. */
    static Duration speakingTime(String text) {
        int words = text == null || text.isBlank() ? 0 : text.trim().split("\\s+").length;
        return Duration.ofSeconds(Math.max(1, (long) Math.ceil(words / 2.5)));
    }

    /** For every live call, what it hears right now and who hears it. */
    List<Map<String, Object>> hearing() {
        Map<String, List<Map<String, Object>>> hears = new LinkedHashMap<>();
        Map<String, List<String>> heardBy = new LinkedHashMap<>();
        List<SimCall> live = world.calls.all().stream().filter(SimCall::live).toList();
        for (SimCall call : live) {
            heardBy.put(call.sid, new ArrayList<>());
        }
        for (SimCall call : live) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Object source : sources(call)) {
                if (source instanceof SimCall other) {
                    out.add(Map.of("party", other.party(), "callSid", other.sid));
                    heardBy.get(other.sid).add(call.party());
                } else if (source instanceof Sound sound) {
                    out.add(sound.json());
                }
            }
            hears.put(call.sid, out);
        }
        List<Map<String, Object>> result = new ArrayList<>();
        for (SimCall call : live) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("callSid", call.sid);
            entry.put("party", call.party());
            entry.put("from", call.from);
            entry.put("to", call.to);
            entry.put("direction", call.direction);
            entry.put("status", call.status);
            entry.put("doing", call.doing == null ? null : call.doing.name().toLowerCase(Locale.ROOT));
            Conference conference = call.conferenceSid == null ? null : world.conferences.get(call.conferenceSid);
            if (conference != null) {
                Participant participant = conference.participants.get(call.sid);
                entry.put("conference", conference.friendlyName);
                entry.put("conferenceSid", conference.sid);
                entry.put("label", participant == null ? null : participant.label);
                entry.put("hold", participant != null && participant.hold);
                entry.put("muted", participant != null && participant.muted);
                entry.put("coaching", participant != null && participant.coaching ? participant.callSidToCoach : null);
            }
            if (call.queuedTask != null) {
                entry.put("queuedTask", call.queuedTask);
            }
            entry.put("hears", hears.get(call.sid));
            entry.put("heardBy", heardBy.get(call.sid));
            result.add(entry);
        }
        return result;
    }

    // [rule voice.conference.who-hears-whom]
    /** The calls and sounds that reach {@code call}'s ear. */
    private List<Object> sources(SimCall call) {
        List<Object> sources = new ArrayList<>();
        if (!call.status.equals("in-progress")) {
            sources.add(call.direction.equals("inbound") ? Sound.SILENCE : Sound.RINGING);
            return sources;
        }
        if (call.doing == null) {
            sources.add(Sound.SILENCE);
            return sources;
        }
        switch (call.doing) {
            case BRIDGED -> {
                SimCall other = call.bridgedWith == null ? null : world.calls.find(call.bridgedWith);
                if (other != null && other.live()) {
                    sources.add(other);
                }
            }
            case DIALING -> sources.add(Sound.RINGING);
            case CONFERENCE -> {
                Conference conference = world.conferences.get(call.conferenceSid);
                Participant self = conference == null ? null : conference.participants.get(call.sid);
                if (self == null) {
                    sources.add(Sound.SILENCE);
                    break;
                }
                if (self.announcement != null) {
                    sources.add(self.announcement);
                }
                if (self.hold) {
                    sources.add(self.holdSound);
                    break;
                }
                if (conference.announcement != null) {
                    sources.add(conference.announcement);
                }
                if (conference.status.equals("init")) {
                    sources.add(self.waitSound);
                    break;
                }
                for (Participant other : conference.connected()) {
                    if (other == self || other.hold || other.muted) {
                        continue;
                    }
                    if (other.coaching && !call.sid.equals(other.callSidToCoach)) {
                        continue;
                    }
                    sources.add(world.calls.find(other.callSid));
                }
            }
            default -> sources.add(call.sound);
        }
        if (sources.isEmpty()) {
            sources.add(Sound.SILENCE);
        }
        return sources;
    }
}
