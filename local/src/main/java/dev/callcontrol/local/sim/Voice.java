package dev.callcontrol.local.sim;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The voice network: calls that ring, answer, fail and end; TwiML fetched from the product and
 * interpreted; conferences with participants, hold, mute, coaching and announcements; the
 * webhooks Twilio sends about all of it; and who hears whom. REST answers follow Twilio's
 * 2010-04-01 API. Every method runs under the world's lock.
 */
final class Voice {
    private static final String SID = "([A-Z]{2}[0-9a-fA-F]{32})";
    /** Twilio's own default music for conference waiting and hold (https://www.twilio.com/docs/voice/twiml/conference#attributes-waitUrl). */
    static final String DEFAULT_MUSIC = "http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical";
    private static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{1,14}$");
    private static final Pattern CLIENT = Pattern.compile("^client:[A-Za-z0-9_.@\\-]{1,256}$");
    private static final Pattern SIP = Pattern.compile("^sip:[^\\s]+@[^\\s]+$");
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(15);
    private static final Set<String> TERMINAL = Set.of("completed", "busy", "failed", "no-answer", "canceled");

    /** What a person hears from something other than another person. */
    record Sound(String kind, String detail) {
        static Sound music(String url) {
            return new Sound("music", url);
        }

        static Sound say(String text) {
            return new Sound("say", text);
        }

        static final Sound SILENCE = new Sound("silence", null);
        static final Sound RINGING = new Sound("ringing", null);

        Map<String, Object> json() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("sound", kind);
            if (detail != null) {
                out.put(kind.equals("say") ? "text" : "source", detail);
            }
            return out;
        }
    }

    /** A webhook target: URL, method, and the events asked for. */
    record Callback(String url, String method, Set<String> events) {
        boolean wants(String event) {
            return url != null && !url.isBlank() && events.contains(event);
        }
    }

    enum Doing { RINGING, FETCHING, SAYING, PLAYING, PAUSING, QUEUED, CONFERENCE, DIALING, BRIDGED }

    /** One call leg. */
    final class SimCall {
        final String sid;
        final String from;
        final String to;
        final String direction;
        final String parentSid;
        final Instant created;
        String status = "queued";
        Instant updated;
        Instant started;
        Instant ended;
        Callback statusCallback = new Callback(null, "POST", Set.of());
        int callbackSequence;
        String answerUrl;
        String answerMethod = "POST";
        String answerTwiml;
        Runnable onAnswer;
        Consumer<String> onUnanswered;
        final List<Runnable> onEnd = new ArrayList<>();
        SimClock.Timer ringTimer;
        SimClock.Timer stepTimer;
        Deque<Twiml.Verb> program = new ArrayDeque<>();
        String documentUrl;
        int generation;
        Doing doing = Doing.RINGING;
        Sound sound = Sound.RINGING;
        String queuedTask;
        String conferenceSid;
        String bridgedWith;
        Twiml.Verb dial;

        SimCall(String from, String to, String direction, String parentSid) {
            this.sid = world.sid("CA");
            this.from = from;
            this.to = to;
            this.direction = direction;
            this.parentSid = parentSid;
            this.created = world.now();
            this.updated = created;
        }

        boolean live() {
            return !TERMINAL.contains(status);
        }

        /** Who is on this leg: the caller for an inbound call, else whom it rings ({@code client:alice} is "alice"). */
        String party() {
            String who = direction.equals("inbound") ? from : to;
            return who.startsWith("client:") ? who.substring("client:".length()) : who;
        }
    }

    /** How a call joins a conference: the {@code <Conference>} attributes or the participant parameters. */
    record JoinSpec(String label, boolean muted, boolean beep, boolean startOnEnter, boolean endOnExit, boolean coaching,
                    String callSidToCoach, String waitUrl, String waitMethod, Callback conferenceCallback) {
    }

    final class Participant {
        final String callSid;
        final Instant created;
        Instant updated;
        String label;
        String status = "queued";
        boolean muted;
        boolean hold;
        boolean coaching;
        String callSidToCoach;
        boolean startOnEnter = true;
        boolean endOnExit;
        boolean beepOnExit = true;
        Sound holdSound = Sound.music(DEFAULT_MUSIC);
        Sound waitSound = Sound.music(DEFAULT_MUSIC);
        Sound announcement;
        SimClock.Timer announcementTimer;
        int holdGeneration;

        Participant(String callSid) {
            this.callSid = callSid;
            this.created = world.now();
            this.updated = created;
        }

        boolean connected() {
            return status.equals("connected");
        }
    }

    final class Conference {
        final String sid = world.sid("CF");
        final String friendlyName;
        final Instant created = world.now();
        Instant updated = created;
        String status = "init";
        Callback callback;
        boolean callbackChosen;
        int sequence;
        String reasonEnded;
        String callSidEnding;
        Sound announcement;
        SimClock.Timer announcementTimer;
        final Map<String, Participant> participants = new LinkedHashMap<>();

        Conference(String friendlyName) {
            this.friendlyName = friendlyName;
        }

        boolean active() {
            return !status.equals("completed");
        }

        List<Participant> connected() {
            return participants.values().stream().filter(Participant::connected).toList();
        }
    }

    private final SimWorld world;
    private final Map<String, SimCall> calls = new LinkedHashMap<>();
    private final Map<String, Conference> conferences = new LinkedHashMap<>();
    /** The TwiML each simulated phone number runs for an incoming call. */
    private final Map<String, String> numbers = new LinkedHashMap<>();

    Voice(SimWorld world) {
        this.world = world;
        numbers.put(DemoWorkspace.PHONE_NUMBER,
                "<Response><Enqueue workflowSid=\"" + DemoWorkspace.WORKFLOW_SID + "\"/></Response>");
    }

    void register(TwilioSimulator simulator) {
        String account = "/2010-04-01/Accounts/" + SID;
        simulator.route("POST", account + "/Calls\\.json", this::createCall);
        simulator.route("GET", account + "/Calls\\.json", this::listCalls);
        simulator.route("GET", account + "/Calls/" + SID + "\\.json", call -> callJson(call(call)));
        simulator.route("POST", account + "/Calls/" + SID + "\\.json", this::updateCall);
        simulator.route("GET", account + "/Conferences\\.json", this::listConferences);
        simulator.route("GET", account + "/Conferences/" + SID + "\\.json", call -> conferenceJson(conference(call)));
        simulator.route("POST", account + "/Conferences/" + SID + "\\.json", this::updateConference);
        simulator.route("POST", account + "/Conferences/([^/]+)/Participants\\.json", this::createParticipant);
        simulator.route("GET", account + "/Conferences/" + SID + "/Participants\\.json", this::listParticipants);
        simulator.route("GET", account + "/Conferences/" + SID + "/Participants/([^/]+)\\.json",
                call -> participantJson(conference(call), participant(call)));
        simulator.route("POST", account + "/Conferences/" + SID + "/Participants/([^/]+)\\.json", this::updateParticipant);
        simulator.route("DELETE", account + "/Conferences/" + SID + "/Participants/([^/]+)\\.json", this::deleteParticipant);
    }

    // ---------------------------------------------------------------- lookups

    SimCall find(String callSid) {
        return calls.get(callSid);
    }

    Conference activeConference(String friendlyName) {
        return conferences.values().stream().filter(c -> c.active() && c.friendlyName.equals(friendlyName)).findFirst().orElse(null);
    }

    private void requireAccount(TwilioSimulator.Call request) {
        if (!world.accountSid.equals(request.variable(1))) {
            throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
        }
    }

    private SimCall call(TwilioSimulator.Call request) {
        requireAccount(request);
        SimCall call = calls.get(request.variable(2));
        if (call == null) {
            throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
        }
        return call;
    }

    private Conference conference(TwilioSimulator.Call request) {
        requireAccount(request);
        Conference conference = conferences.get(request.variable(2));
        if (conference == null) {
            throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
        }
        return conference;
    }

    /** A participant addressed by call SID or label, as Twilio allows. */
    private Participant participant(TwilioSimulator.Call request) {
        Conference conference = conference(request);
        String key = URLDecoder.decode(request.variable(3), StandardCharsets.UTF_8);
        Participant participant = conference.participants.get(key);
        if (participant == null) {
            participant = conference.participants.values().stream().filter(p -> key.equals(p.label)).findFirst().orElse(null);
        }
        if (participant == null) {
            throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
        }
        return participant;
    }

    // ---------------------------------------------------------------- REST: calls

    private Object createCall(TwilioSimulator.Call request) {
        requireAccount(request);
        String to = required(request, "To", 21201, "No 'To' number is specified");
        String from = required(request, "From", 21213, "No 'From' number is specified");
        checkAddress(to, 21211, "Invalid 'To' Phone Number: " + to);
        checkFrom(from);
        String url = request.first("Url");
        String twiml = request.first("Twiml");
        if ((url == null || url.isBlank()) && (twiml == null || twiml.isBlank()) && request.first("ApplicationSid") == null) {
            throw new TwilioError(400, 21205, "Url parameter is required");
        }
        if (url != null && !url.isBlank()) {
            checkAbsolute(url, "Url");
        }
        SimCall call = newCall(from, to, "outbound-api", null);
        call.answerUrl = url;
        call.answerMethod = method(request.first("Method"), "POST");
        call.answerTwiml = twiml;
        call.statusCallback = callback(request.first("StatusCallback"), request.first("StatusCallbackMethod"),
                events(request.parameters().get("StatusCallbackEvent"), Set.of("completed")));
        ring(call, timeout(request.first("Timeout"), 60));
        return new TwilioSimulator.Created(callJson(call));
    }

    private Object listCalls(TwilioSimulator.Call request) {
        requireAccount(request);
        String status = request.first("Status");
        String to = request.first("To");
        String from = request.first("From");
        String parent = request.first("ParentCallSid");
        List<Map<String, Object>> items = calls.values().stream()
                .filter(c -> status == null || status.equals(c.status))
                .filter(c -> to == null || to.equals(c.to))
                .filter(c -> from == null || from.equals(c.from))
                .filter(c -> parent == null || parent.equals(c.parentSid))
                .map(this::callJson).toList();
        return page(request, "calls", items);
    }

    private Object updateCall(TwilioSimulator.Call request) {
        SimCall call = call(request);
        String status = request.first("Status");
        String url = request.first("Url");
        String twiml = request.first("Twiml");
        if (!call.live()) {
            throw new TwilioError(400, 21220, "Call is not in-progress. Cannot redirect.");
        }
        if (url != null && !url.isBlank()) {
            checkAbsolute(url, "Url");
        }
        if (request.first("StatusCallback") != null) {
            call.statusCallback = callback(request.first("StatusCallback"), request.first("StatusCallbackMethod"), call.statusCallback.events());
        }
        if ("canceled".equals(status)) {
            // Canceling only affects a call that has not been answered (https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource).
            if (!call.status.equals("in-progress")) {
                unanswered(call, "canceled");
            }
        } else if ("completed".equals(status)) {
            if (call.status.equals("in-progress")) {
                end(call, "completed");
            } else {
                unanswered(call, "canceled");
            }
        } else if (twiml != null || url != null) {
            if (call.status.equals("in-progress")) {
                leaveCurrent(call, "participant_updated_via_api");
                if (twiml != null && !twiml.isBlank()) {
                    runTwiml(call, twiml, call.documentUrl);
                } else {
                    fetchAndRun(call, url, method(request.first("Method"), "POST"), Map.of());
                }
            } else {
                call.answerTwiml = twiml;
                call.answerUrl = url;
                call.answerMethod = method(request.first("Method"), "POST");
            }
        }
        call.updated = world.now();
        return callJson(call);
    }

    // ---------------------------------------------------------------- REST: conferences and participants

    private Object listConferences(TwilioSimulator.Call request) {
        requireAccount(request);
        String name = request.first("FriendlyName");
        String status = request.first("Status");
        List<Map<String, Object>> items = conferences.values().stream()
                .filter(c -> name == null || name.equals(c.friendlyName))
                .filter(c -> status == null || status.equals(c.status))
                .map(this::conferenceJson).toList();
        return page(request, "conferences", items);
    }

    private Object updateConference(TwilioSimulator.Call request) {
        Conference conference = conference(request);
        if (!conference.active()) {
            throw new TwilioError(400, 16022, "Conference " + conference.sid + " does not exist or is completed");
        }
        if (request.first("AnnounceUrl") != null) {
            String url = request.first("AnnounceUrl");
            checkAbsolute(url, "AnnounceUrl");
            announce(conference, null, url, method(request.first("AnnounceMethod"), "POST"));
        }
        if ("completed".equals(request.first("Status"))) {
            endConference(conference, "conference-ended-via-api", null);
        }
        conference.updated = world.now();
        return conferenceJson(conference);
    }

    private Object createParticipant(TwilioSimulator.Call request) {
        requireAccount(request);
        String key = URLDecoder.decode(request.variable(2), StandardCharsets.UTF_8);
        Conference conference;
        if (key.matches("^CF[0-9a-fA-F]{32}$")) {
            conference = conferences.get(key);
            if (conference == null) {
                throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
            }
            if (!conference.active()) {
                throw new TwilioError(400, 16022, "Conference " + key + " does not exist or is completed");
            }
        } else {
            conference = conferenceNamed(key);
        }
        String to = required(request, "To", 21201, "No 'To' number is specified");
        String from = required(request, "From", 21213, "No 'From' number is specified");
        checkAddress(to, 21211, "Invalid 'To' Phone Number: " + to);
        checkFrom(from);
        String label = request.first("Label");
        Conference target = conference;
        if (label != null && target.participants.values().stream().anyMatch(p -> label.equals(p.label))) {
            throw new TwilioError(400, 16025, "Participant label " + label + " is already in use in conference " + target.sid);
        }
        boolean coaching = bool(request, "Coaching", false);
        String coach = request.first("CallSidToCoach");
        if (coaching) {
            requireCoachable(target, coach);
        }
        JoinSpec spec = new JoinSpec(label, bool(request, "Muted", false), !"false".equals(request.first("Beep")),
                bool(request, "StartConferenceOnEnter", true), bool(request, "EndConferenceOnExit", false), coaching, coach,
                request.first("WaitUrl"), method(request.first("WaitMethod"), "POST"),
                callback(request.first("ConferenceStatusCallback"), request.first("ConferenceStatusCallbackMethod"),
                        events(request.parameters().get("ConferenceStatusCallbackEvent"), Set.of("start", "end"))));
        SimCall call = newCall(from, to, "outbound-api", null);
        call.statusCallback = callback(request.first("StatusCallback"), request.first("StatusCallbackMethod"),
                events(request.parameters().get("StatusCallbackEvent"), Set.of("completed")));
        Participant participant = new Participant(call.sid);
        participant.label = label;
        participant.muted = spec.muted();
        participant.coaching = coaching;
        participant.callSidToCoach = coach;
        participant.startOnEnter = spec.startOnEnter();
        participant.endOnExit = spec.endOnExit();
        target.participants.put(call.sid, participant);
        call.onAnswer = () -> {
            if (!target.active()) {
                world.alert(16022, "participant " + call.sid + " answered after conference " + target.sid + " ended");
                end(call, "completed");
                return;
            }
            join(call, target, participant, spec);
        };
        call.onUnanswered = status -> {
            participant.status = "failed";
            target.participants.remove(call.sid);
        };
        participant.status = "queued";
        ring(call, timeout(request.first("Timeout"), 60));
        return new TwilioSimulator.Created(participantJson(target, participant));
    }

    private Object listParticipants(TwilioSimulator.Call request) {
        Conference conference = conference(request);
        String muted = request.first("Muted");
        String hold = request.first("Hold");
        String coaching = request.first("Coaching");
        List<Map<String, Object>> items = conference.participants.values().stream()
                .filter(p -> muted == null || Boolean.parseBoolean(muted) == p.muted)
                .filter(p -> hold == null || Boolean.parseBoolean(hold) == p.hold)
                .filter(p -> coaching == null || Boolean.parseBoolean(coaching) == p.coaching)
                .map(p -> participantJson(conference, p)).toList();
        return page(request, "participants", items);
    }

    private Object updateParticipant(TwilioSimulator.Call request) {
        Conference conference = conference(request);
        Participant participant = participant(request);
        if (!conference.active()) {
            throw new TwilioError(400, 16022, "Conference " + conference.sid + " does not exist or is completed");
        }
        boolean heldBefore = participant.hold;
        List<String> events = new ArrayList<>();
        String holdUrl = request.first("HoldUrl");
        if (holdUrl != null && !holdUrl.isBlank()) {
            checkAbsolute(holdUrl, "HoldUrl");
        }
        String announceUrl = request.first("AnnounceUrl");
        if (announceUrl != null && !announceUrl.isBlank()) {
            checkAbsolute(announceUrl, "AnnounceUrl");
        }
        String coachParameter = request.first("CallSidToCoach");
        String coach = coachParameter != null ? coachParameter : participant.callSidToCoach;
        Boolean coaching = request.first("Coaching") == null ? null : bool(request, "Coaching", false);
        if (Boolean.TRUE.equals(coaching) || (coaching == null && participant.coaching && coachParameter != null)) {
            requireCoachable(conference, coach);
        }

        if (request.first("Muted") != null) {
            boolean muted = bool(request, "Muted", false);
            if (muted != participant.muted) {
                participant.muted = muted;
                events.add(muted ? "participant-mute" : "participant-unmute");
            }
        }
        if (coaching != null || coachParameter != null) {
            boolean before = participant.coaching;
            String beforeCoach = participant.callSidToCoach;
            if (coaching != null) {
                participant.coaching = coaching;
            }
            participant.callSidToCoach = coach;
            if (before != participant.coaching || !java.util.Objects.equals(beforeCoach, participant.callSidToCoach)) {
                events.add("participant-modify");
            }
        }
        if (request.first("EndConferenceOnExit") != null) {
            // Twilio ignores EndConferenceOnExit changes while the participant is on hold: set them before holding.
            if (!heldBefore) {
                participant.endOnExit = bool(request, "EndConferenceOnExit", false);
            }
        }
        if (request.first("BeepOnExit") != null) {
            participant.beepOnExit = bool(request, "BeepOnExit", true);
        }
        if (request.first("WaitUrl") != null) {
            String waitUrl = request.first("WaitUrl");
            fetchSound(participant.callSid, waitUrl, method(request.first("WaitMethod"), "POST"), sound -> participant.waitSound = sound);
        }
        if (request.first("Hold") != null) {
            boolean hold = bool(request, "Hold", false);
            if (hold && !heldBefore) {
                participant.hold = true;
                int generation = ++participant.holdGeneration;
                // HoldMethod defaults to GET, unlike Twilio's other callbacks.
                fetchSound(participant.callSid, holdUrl, method(request.first("HoldMethod"), "GET"), sound -> {
                    if (participant.holdGeneration == generation) {
                        participant.holdSound = sound;
                    }
                });
                events.add("participant-hold");
            } else if (!hold && heldBefore) {
                participant.hold = false;
                events.add("participant-unhold");
            }
        }
        if (announceUrl != null && !announceUrl.isBlank()) {
            announce(conference, participant, announceUrl, method(request.first("AnnounceMethod"), "POST"));
        }
        participant.updated = world.now();
        for (String event : events) {
            conferenceEvent(conference, event, participant, Map.of());
        }
        return participantJson(conference, participant);
    }

    private Object deleteParticipant(TwilioSimulator.Call request) {
        Conference conference = conference(request);
        Participant participant = participant(request);
        SimCall call = calls.get(participant.callSid);
        if (!participant.connected()) {
            if (call != null && call.live()) {
                unanswered(call, "canceled");
            }
            conference.participants.remove(participant.callSid);
            return null;
        }
        leave(conference, participant, "participant_kicked", true, true);
        return null;
    }

    // ---------------------------------------------------------------- calls: ringing, answering, ending

    SimCall newCall(String from, String to, String direction, String parentSid) {
        SimCall call = new SimCall(from, to, direction, parentSid);
        calls.put(call.sid, call);
        return call;
    }

    /** An outbound leg starts ringing; it ends "no-answer" when {@code timeoutSeconds} pass unanswered. */
    void ring(SimCall call, int timeoutSeconds) {
        statusCallback(call, "initiated");
        world.outbox.later("ring " + call.sid, () -> {
            if (!call.status.equals("queued")) {
                return;
            }
            call.status = "ringing";
            call.updated = world.now();
            Participant participant = participantOf(call);
            if (participant != null) {
                participant.status = "ringing";
            }
            statusCallback(call, "ringing");
            call.ringTimer = world.clock.after(Duration.ofSeconds(timeoutSeconds), "ring timeout of " + call.sid + " (" + call.to + ")",
                    () -> unanswered(call, "no-answer"));
        });
    }

    /** A customer dials a simulated number: the call is answered and runs the number's TwiML. */
    SimCall dialIn(String from, String to) {
        String twiml = numbers.get(to);
        if (twiml == null) {
            throw new TwilioError(404, 20404, "The simulator has no phone number " + to + "; dial " + String.join(" or ", numbers.keySet()));
        }
        if (!E164.matcher(from).matches()) {
            throw new TwilioError(400, 21212, "The caller's number must be E.164, not " + from);
        }
        SimCall call = newCall(from, to, "inbound", null);
        call.status = "ringing";
        world.outbox.later("answer inbound " + call.sid, () -> {
            if (call.status.equals("ringing")) {
                call.answerTwiml = twiml;
                answer(call);
            }
        });
        return call;
    }

    /** The person at the other end picks up. */
    void answer(SimCall call) {
        if (!call.status.equals("ringing") && !call.status.equals("queued")) {
            throw new TwilioError(409, 20001, "Call " + call.sid + " is " + call.status + ", not ringing");
        }
        SimClock.cancel(call.ringTimer);
        call.status = "in-progress";
        call.started = world.now();
        call.updated = call.started;
        call.sound = Sound.SILENCE;
        statusCallback(call, "answered");
        if (call.onAnswer != null) {
            call.onAnswer.run();
        } else if (call.answerTwiml != null && !call.answerTwiml.isBlank()) {
            runTwiml(call, call.answerTwiml, null);
        } else if (call.answerUrl != null) {
            fetchAndRun(call, call.answerUrl, call.answerMethod, Map.of());
        } else {
            end(call, "completed");
        }
    }

    /** The leg never connected: busy, no-answer, failed or canceled. */
    void unanswered(SimCall call, String status) {
        if (!call.live()) {
            return;
        }
        if (call.status.equals("in-progress")) {
            end(call, "completed");
            return;
        }
        SimClock.cancel(call.ringTimer);
        call.status = status;
        call.ended = world.now();
        call.updated = call.ended;
        statusCallback(call, "completed");
        if (call.onUnanswered != null) {
            call.onUnanswered.accept(status);
        }
        if (call.parentSid != null) {
            SimCall parent = calls.get(call.parentSid);
            if (parent != null && parent.live() && parent.doing == Doing.DIALING) {
                dialEnded(parent, status);
            }
        }
        call.onEnd.forEach(Runnable::run);
    }

    /** Hangs up a call that is connected (by the person, by TwiML or by the API). */
    void end(SimCall call, String status) {
        if (!call.live()) {
            return;
        }
        if (!call.status.equals("in-progress")) {
            unanswered(call, status.equals("completed") ? "canceled" : status);
            return;
        }
        SimClock.cancel(call.stepTimer);
        call.generation++;
        call.status = status;
        leaveCurrent(call, "participant_hung_up");
        call.ended = world.now();
        call.updated = call.ended;
        call.doing = null;
        statusCallback(call, "completed");
        call.onEnd.forEach(Runnable::run);
    }

    /** Takes the call out of whatever it is doing (queue, conference, dial), as a hang-up or redirect does. */
    private void leaveCurrent(SimCall call, String reason) {
        SimClock.cancel(call.stepTimer);
        call.generation++;
        call.program.clear();
        Doing doing = call.doing;
        call.doing = null;
        if (doing == Doing.QUEUED && call.queuedTask != null) {
            String task = call.queuedTask;
            call.queuedTask = null;
            world.routing.callerLeftQueue(task, call);
        } else if (doing == Doing.CONFERENCE && call.conferenceSid != null) {
            Conference conference = conferences.get(call.conferenceSid);
            Participant participant = conference == null ? null : conference.participants.get(call.sid);
            if (participant != null) {
                leave(conference, participant, reason, false, !reason.equals("participant_hung_up"));
            }
        } else if (doing == Doing.DIALING || doing == Doing.BRIDGED) {
            SimCall other = call.bridgedWith == null ? null : calls.get(call.bridgedWith);
            call.bridgedWith = null;
            if (other != null && other.live()) {
                other.bridgedWith = null;
                if (other.parentSid != null && other.parentSid.equals(call.sid)) {
                    if (other.status.equals("in-progress")) {
                        end(other, "completed");
                    } else {
                        unanswered(other, "canceled");
                    }
                } else if (other.doing == Doing.BRIDGED) {
                    dialEnded(other, "completed");
                }
            }
        }
        call.dial = null;
    }

    // ---------------------------------------------------------------- TwiML

    void fetchAndRun(SimCall call, String url, String method, Map<String, String> extra) {
        int generation = ++call.generation;
        call.doing = Doing.FETCHING;
        call.sound = Sound.SILENCE;
        Map<String, String> parameters = callParameters(call);
        parameters.putAll(extra);
        world.outbox.send("TwiML for " + call.sid, method, url, parameters, FETCH_TIMEOUT, response -> {
            if (!call.live() || call.generation != generation) {
                return;
            }
            if (!response.ok()) {
                world.alert(11200, "HTTP retrieval failure: " + method + " " + url + " for call " + call.sid + ": " + response.describe());
                end(call, "completed");
                return;
            }
            runTwiml(call, response.body(), url);
        });
    }

    void runTwiml(SimCall call, String document, String documentUrl) {
        List<Twiml.Verb> verbs;
        try {
            verbs = Twiml.parse(document);
        } catch (Twiml.Invalid e) {
            world.alert(12100, "Document parse failure for call " + call.sid + (documentUrl == null ? "" : " from " + documentUrl) + ": " + e.getMessage());
            end(call, "completed");
            return;
        }
        call.generation++;
        call.program = new ArrayDeque<>(verbs);
        call.documentUrl = documentUrl;
        step(call);
    }

    /** Runs the call's next verb; with none left the call hangs up, as Twilio does at the end of a document. */
    private void step(SimCall call) {
        if (!call.live()) {
            return;
        }
        SimClock.cancel(call.stepTimer);
        Twiml.Verb verb = call.program.poll();
        if (verb == null) {
            end(call, "completed");
            return;
        }
        int generation = call.generation;
        Runnable next = () -> {
            if (call.live() && call.generation == generation) {
                step(call);
            }
        };
        switch (verb.name()) {
            case "Say" -> {
                int loop = verb.integer("loop", 1);
                call.doing = Doing.SAYING;
                call.sound = Sound.say(verb.text());
                if (loop != 0) {
                    call.stepTimer = world.clock.after(speakingTime(verb.text()).multipliedBy(loop), "say on " + call.sid, next);
                }
            }
            case "Play" -> {
                int loop = verb.integer("loop", 1);
                call.doing = Doing.PLAYING;
                call.sound = Sound.music(verb.text());
                if (loop != 0) {
                    call.stepTimer = world.clock.after(Duration.ofSeconds(30L * loop), "play on " + call.sid, next);
                }
            }
            case "Pause" -> {
                call.doing = Doing.PAUSING;
                call.sound = Sound.SILENCE;
                call.stepTimer = world.clock.after(Duration.ofSeconds(verb.integer("length", 1)), "pause on " + call.sid, next);
            }
            case "Hangup", "Reject" -> end(call, "completed");
            case "Redirect" -> fetchAndRun(call, resolve(call, verb.text()), method(verb.attributes().get("method"), "POST"), Map.of());
            case "Enqueue" -> enqueue(call, verb);
            case "Dial" -> dial(call, verb);
            case "Leave" -> step(call);
            default -> {
                world.alert(12200, "The simulator does not run <" + verb.name() + "> (call " + call.sid + "); it was skipped");
                step(call);
            }
        }
    }

    private void enqueue(SimCall call, Twiml.Verb verb) {
        String workflowSid = verb.attributes().get("workflowSid");
        if (workflowSid == null) {
            world.alert(12200, "<Enqueue> without workflowSid is not simulated (call " + call.sid + ")");
            step(call);
            return;
        }
        Twiml.Verb task = verb.children().stream().filter(v -> v.name().equals("Task")).findFirst().orElse(null);
        call.doing = Doing.QUEUED;
        call.sound = Sound.music(DEFAULT_MUSIC);
        String waitUrl = verb.attributes().get("waitUrl");
        if (waitUrl != null) {
            int generation = call.generation;
            fetchSound(call.sid, resolve(call, waitUrl), method(verb.attributes().get("waitUrlMethod"), "POST"), sound -> {
                if (call.generation == generation && call.doing == Doing.QUEUED) {
                    call.sound = sound;
                }
            });
        }
        call.queuedTask = world.routing.enqueue(call, workflowSid, task == null ? null : task.text(),
                task == null ? null : task.attributes().get("priority"), task == null ? null : task.attributes().get("timeout"));
    }

    private void dial(SimCall call, Twiml.Verb verb) {
        call.dial = verb;
        Twiml.Verb noun = verb.children().isEmpty() ? null : verb.children().get(0);
        if (noun != null && noun.name().equals("Conference")) {
            Callback callback = callback(noun.attributes().get("statusCallback"), noun.attributes().get("statusCallbackMethod"),
                    new LinkedHashSet<>(Arrays.asList(noun.attribute("statusCallbackEvent", "start end").split("[\\s,]+"))));
            String waitUrl = noun.attributes().containsKey("waitUrl") ? noun.attributes().get("waitUrl") : null;
            String coach = noun.attributes().get("coach");
            JoinSpec spec = new JoinSpec(noun.attributes().get("participantLabel"), noun.flag("muted", false), !"false".equals(noun.attribute("beep", "true")),
                    noun.flag("startConferenceOnEnter", true), noun.flag("endConferenceOnExit", false), coach != null, coach,
                    waitUrl == null ? null : resolve(call, waitUrl), method(noun.attributes().get("waitMethod"), "POST"), callback);
            Conference conference = conferenceNamed(noun.text());
            if (spec.label() != null && conference.participants.values().stream().anyMatch(p -> spec.label().equals(p.label))) {
                world.alert(16025, "participantLabel " + spec.label() + " is already in use in conference " + noun.text());
            }
            join(call, conference, newParticipant(conference, call), spec);
            return;
        }
        String target = noun == null ? verb.text() : noun.text();
        if (target == null || target.isBlank()) {
            world.alert(12100, "<Dial> with nothing to dial (call " + call.sid + ")");
            step(call);
            return;
        }
        if (noun != null && noun.name().equals("Client") && !target.startsWith("client:")) {
            target = "client:" + target;
        }
        String callerId = verb.attribute("callerId", call.from);
        SimCall child = newCall(callerId, target, "outbound-dial", call.sid);
        call.doing = Doing.DIALING;
        call.sound = Sound.RINGING;
        call.bridgedWith = child.sid;
        child.onAnswer = () -> {
            child.doing = Doing.BRIDGED;
            child.bridgedWith = call.sid;
            call.doing = Doing.BRIDGED;
            call.bridgedWith = child.sid;
        };
        ring(child, verb.integer("timeout", 30));
    }

    /** The {@code <Dial>} is over: its action URL decides what follows, else the next verb. */
    private void dialEnded(SimCall call, String dialStatus) {
        Twiml.Verb verb = call.dial;
        call.dial = null;
        call.bridgedWith = null;
        String action = verb == null ? null : verb.attributes().get("action");
        if (action != null && !action.isBlank()) {
            fetchAndRun(call, resolve(call, action), method(verb.attributes().get("method"), "POST"), Map.of("DialCallStatus", dialStatus));
        } else {
            step(call);
        }
    }

    /** Redirects a live call to new TwiML, leaving its queue or conference. */
    void redirect(SimCall call, String url, String method) {
        leaveCurrent(call, "participant_updated_via_api");
        fetchAndRun(call, url, method, Map.of());
    }

    /** Takes a caller out of its queue without ending anything else (TaskRouter moves it elsewhere). */
    void takeFromQueue(SimCall call) {
        if (call.doing == Doing.QUEUED) {
            call.queuedTask = null;
            call.doing = null;
        }
    }

    /** Connects two answered legs directly (the {@code dequeue} instruction). */
    void bridge(SimCall caller, SimCall agent) {
        takeFromQueue(caller);
        caller.doing = Doing.BRIDGED;
        caller.bridgedWith = agent.sid;
        agent.doing = Doing.BRIDGED;
        agent.bridgedWith = caller.sid;
    }

    // ---------------------------------------------------------------- conferences

    /** Puts an answered call into a conference it is (or is about to be) a participant of. */
    void join(SimCall call, Conference conference, Participant participant, JoinSpec spec) {
        participant.label = spec.label();
        participant.muted = spec.muted();
        participant.coaching = spec.coaching();
        participant.callSidToCoach = spec.callSidToCoach();
        participant.startOnEnter = spec.startOnEnter();
        participant.endOnExit = spec.endOnExit();
        participant.status = "connected";
        participant.updated = world.now();
        if (!conference.callbackChosen) {
            // Only the first participant's conference status callback is used
            // (https://www.twilio.com/docs/voice/api/conference-participant-resource#request-body-parameters).
            conference.callbackChosen = true;
            conference.callback = spec.conferenceCallback();
        }
        call.doing = Doing.CONFERENCE;
        call.conferenceSid = conference.sid;
        call.sound = Sound.SILENCE;
        if (spec.waitUrl() != null) {
            fetchSound(call.sid, spec.waitUrl(), spec.waitMethod(), sound -> participant.waitSound = sound);
        }
        conferenceEvent(conference, "participant-join", participant, Map.of());
        if (conference.status.equals("init") && participant.startOnEnter) {
            conference.status = "in-progress";
            conference.updated = world.now();
            conferenceEvent(conference, "conference-start", null, Map.of());
        }
    }

    /** Creates (or finds) the active conference with this name. */
    Conference conferenceNamed(String name) {
        Conference conference = activeConference(name);
        if (conference == null) {
            conference = new Conference(name);
            conferences.put(conference.sid, conference);
        }
        return conference;
    }

    Participant newParticipant(Conference conference, SimCall call) {
        Participant participant = new Participant(call.sid);
        conference.participants.put(call.sid, participant);
        return participant;
    }

    private void leave(Conference conference, Participant participant, String reason, boolean continueProgram, boolean kicked) {
        conference.participants.remove(participant.callSid);
        participant.status = "complete";
        SimClock.cancel(participant.announcementTimer);
        SimCall call = calls.get(participant.callSid);
        if (call != null) {
            call.conferenceSid = null;
            if (call.doing == Doing.CONFERENCE) {
                call.doing = null;
            }
        }
        conferenceEvent(conference, "participant-leave", participant, Map.of("ReasonParticipantLeft", reason));
        if (conference.active()) {
            if (participant.endOnExit) {
                endConference(conference, kicked ? "participant-with-end-conference-on-exit-kicked" : "participant-with-end-conference-on-exit-left",
                        participant.callSid);
            } else if (conference.connected().isEmpty()) {
                endConference(conference, kicked ? "last-participant-kicked" : "last-participant-left", participant.callSid);
            }
        }
        if (continueProgram && call != null && call.live()) {
            afterConference(call);
        }
    }

    /** A call that left its conference goes on with its TwiML after the {@code <Dial>}; an API-made participant has none and hangs up. */
    private void afterConference(SimCall call) {
        if (call.dial != null) {
            dialEnded(call, "completed");
        } else {
            step(call);
        }
    }

    void endConference(Conference conference, String reason, String callSidEnding) {
        if (!conference.active()) {
            return;
        }
        conference.status = "completed";
        conference.reasonEnded = reason;
        conference.callSidEnding = callSidEnding;
        conference.updated = world.now();
        SimClock.cancel(conference.announcementTimer);
        for (Participant participant : new ArrayList<>(conference.participants.values())) {
            SimCall call = calls.get(participant.callSid);
            if (participant.connected()) {
                leave(conference, participant, "conference_ended", true, false);
            } else {
                conference.participants.remove(participant.callSid);
                if (call != null && call.live()) {
                    unanswered(call, "canceled");
                }
            }
        }
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("ReasonConferenceEnded", reason);
        extra.put("Reason", describeEnd(reason));
        if (callSidEnding != null) {
            extra.put("CallSidEndingConference", callSidEnding);
        }
        conferenceEvent(conference, "conference-end", null, extra);
        world.routing.conferenceEnded(conference.friendlyName);
    }

    private static String describeEnd(String reason) {
        return switch (reason) {
            case "conference-ended-via-api" -> "Conference ended via API";
            case "participant-with-end-conference-on-exit-left" -> "Participant with End Conference On Exit left the conference";
            case "participant-with-end-conference-on-exit-kicked" -> "Participant with End Conference On Exit was removed from the conference";
            case "last-participant-kicked" -> "The last participant was removed from the conference";
            default -> "The last participant left the conference";
        };
    }

    private void announce(Conference conference, Participant participant, String url, String method) {
        String key = participant == null ? conference.sid : participant.callSid;
        fetchSound(key, url, method, sound -> {
            Duration length = sound.kind().equals("say") ? speakingTime(sound.detail()) : Duration.ofSeconds(10);
            Runnable finished = () -> {
                if (participant == null) {
                    conference.announcement = null;
                } else {
                    participant.announcement = null;
                }
                if (conference.active()) {
                    conferenceEvent(conference, "announcement-end", participant, Map.of());
                }
            };
            if (participant == null) {
                SimClock.cancel(conference.announcementTimer);
                conference.announcement = sound;
                conference.announcementTimer = world.clock.after(length, "announcement in " + conference.friendlyName, finished);
            } else {
                SimClock.cancel(participant.announcementTimer);
                participant.announcement = sound;
                participant.announcementTimer = world.clock.after(length, "announcement to " + participant.callSid, finished);
            }
        });
    }

    private void requireCoachable(Conference conference, String coach) {
        if (coach == null || coach.isBlank()) {
            throw new TwilioError(400, 20001, "CallSidToCoach is required when Coaching is true");
        }
        Participant coached = conference.participants.get(coach);
        if (coached == null || !coached.connected()) {
            throw new TwilioError(400, 20001, "CallSidToCoach " + coach + " is not a participant of conference " + conference.sid);
        }
    }

    Participant participantOf(SimCall call) {
        for (Conference conference : conferences.values()) {
            Participant participant = conference.participants.get(call.sid);
            if (participant != null && conference.active()) {
                return participant;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- sounds

    /**
     * What a URL plays: an audio file is music; a TwiML document plays its first {@code <Play>} or
     * {@code <Say>}. No URL means Twilio's default music; an empty one means silence.
     */
    private void fetchSound(String forSid, String url, String method, Consumer<Sound> apply) {
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
        SimCall call = calls.get(forSid);
        if (call != null) {
            parameters.putAll(callParameters(call));
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

    // ---------------------------------------------------------------- who hears whom

    /** For every live call, what it hears right now and who hears it. */
    List<Map<String, Object>> hearing() {
        Map<String, List<Map<String, Object>>> hears = new LinkedHashMap<>();
        Map<String, List<String>> heardBy = new LinkedHashMap<>();
        List<SimCall> live = calls.values().stream().filter(SimCall::live).toList();
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
            Conference conference = call.conferenceSid == null ? null : conferences.get(call.conferenceSid);
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
                SimCall other = call.bridgedWith == null ? null : calls.get(call.bridgedWith);
                if (other != null && other.live()) {
                    sources.add(other);
                }
            }
            case DIALING -> sources.add(Sound.RINGING);
            case CONFERENCE -> {
                Conference conference = conferences.get(call.conferenceSid);
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
                    sources.add(calls.get(other.callSid));
                }
            }
            default -> sources.add(call.sound);
        }
        if (sources.isEmpty()) {
            sources.add(Sound.SILENCE);
        }
        return sources;
    }

    // ---------------------------------------------------------------- webhooks

    Map<String, String> callParameters(SimCall call) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("AccountSid", world.accountSid);
        parameters.put("ApiVersion", "2010-04-01");
        parameters.put("CallSid", call.sid);
        parameters.put("CallStatus", call.status);
        parameters.put("Called", call.to);
        parameters.put("Caller", call.from);
        parameters.put("Direction", call.direction);
        parameters.put("From", call.from);
        parameters.put("To", call.to);
        if (call.parentSid != null) {
            parameters.put("ParentCallSid", call.parentSid);
        }
        return parameters;
    }

    private void statusCallback(SimCall call, String event) {
        if (!call.statusCallback.wants(event)) {
            return;
        }
        Map<String, String> parameters = callParameters(call);
        if (event.equals("initiated")) {
            // The call has left Twilio's queue and is being dialled: the callback says "initiated",
            // a state the Call resource itself never shows (https://www.twilio.com/docs/voice/api/call-resource#statuscallbackevent).
            parameters.put("CallStatus", "initiated");
        }
        parameters.put("CallbackSource", "call-progress-events");
        parameters.put("SequenceNumber", String.valueOf(call.callbackSequence++));
        parameters.put("Timestamp", world.rfc2822(world.now()));
        if (event.equals("completed")) {
            long duration = call.started == null ? 0 : Duration.between(call.started, world.now()).toSeconds();
            parameters.put("CallDuration", String.valueOf(duration));
            parameters.put("Duration", String.valueOf((duration + 59) / 60));
        }
        world.outbox.sendEvent("status callback " + event + " for " + call.sid, call.statusCallback.method(), call.statusCallback.url(), parameters,
                FETCH_TIMEOUT, response -> {
                    if (!response.ok()) {
                        world.alert(15003, "Call progress status callback to " + call.statusCallback.url() + " failed: " + response.describe());
                    }
                });
    }

    /** Conference events go to the first participant's callback, for the events it asked for, numbered in order. */
    private void conferenceEvent(Conference conference, String event, Participant participant, Map<String, String> extra) {
        int sequence = ++conference.sequence;
        Callback callback = conference.callback;
        if (callback == null || !callback.wants(subscription(event))) {
            return;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("AccountSid", world.accountSid);
        parameters.put("ConferenceSid", conference.sid);
        parameters.put("FriendlyName", conference.friendlyName);
        parameters.put("StatusCallbackEvent", event);
        parameters.put("SequenceNumber", String.valueOf(sequence));
        parameters.put("Timestamp", world.rfc2822(world.now()));
        if (participant != null) {
            parameters.put("CallSid", participant.callSid);
            parameters.put("Muted", String.valueOf(participant.muted));
            parameters.put("Hold", String.valueOf(participant.hold));
            parameters.put("Coaching", String.valueOf(participant.coaching));
            parameters.put("EndConferenceOnExit", String.valueOf(participant.endOnExit));
            parameters.put("StartConferenceOnEnter", String.valueOf(participant.startOnEnter));
            if (participant.label != null) {
                parameters.put("ParticipantLabel", participant.label);
            }
            if (participant.callSidToCoach != null) {
                parameters.put("CallSidToCoach", participant.callSidToCoach);
            }
            SimCall call = calls.get(participant.callSid);
            if (call != null) {
                parameters.put("ParticipantCallStatus", call.status);
            }
        }
        parameters.putAll(extra);
        world.outbox.sendEvent(event + " of " + conference.friendlyName, callback.method(), callback.url(), parameters, FETCH_TIMEOUT, response -> {
            if (!response.ok()) {
                world.alert(16011, "Conference event " + event + " to " + callback.url() + " got an error: " + response.describe());
            }
        });
    }

    private static String subscription(String event) {
        return switch (event) {
            case "conference-start" -> "start";
            case "conference-end" -> "end";
            case "participant-join" -> "join";
            case "participant-leave" -> "leave";
            case "participant-mute", "participant-unmute" -> "mute";
            case "participant-hold", "participant-unhold" -> "hold";
            case "participant-modify" -> "modify";
            case "announcement-end", "announcement-fail" -> "announcement";
            default -> "speaker";
        };
    }

    // ---------------------------------------------------------------- JSON

    Map<String, Object> callJson(SimCall call) {
        String uri = "/2010-04-01/Accounts/" + world.accountSid + "/Calls/" + call.sid + ".json";
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sid", call.sid);
        out.put("date_created", world.rfc2822(call.created));
        out.put("date_updated", world.rfc2822(call.updated));
        out.put("parent_call_sid", call.parentSid);
        out.put("account_sid", world.accountSid);
        out.put("to", call.to);
        out.put("to_formatted", call.to);
        out.put("from", call.from);
        out.put("from_formatted", call.from);
        out.put("phone_number_sid", null);
        out.put("status", call.status);
        out.put("start_time", world.rfc2822(call.started));
        out.put("end_time", world.rfc2822(call.ended));
        out.put("duration", call.ended == null || call.started == null ? null : String.valueOf(Duration.between(call.started, call.ended).toSeconds()));
        out.put("price", null);
        out.put("price_unit", "USD");
        out.put("direction", call.direction);
        out.put("answered_by", null);
        out.put("api_version", "2010-04-01");
        out.put("forwarded_from", null);
        out.put("group_sid", null);
        out.put("caller_name", null);
        out.put("queue_time", "0");
        out.put("trunk_sid", null);
        out.put("uri", uri);
        out.put("subresource_uris", Map.of());
        return out;
    }

    Map<String, Object> conferenceJson(Conference conference) {
        String uri = "/2010-04-01/Accounts/" + world.accountSid + "/Conferences/" + conference.sid + ".json";
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("account_sid", world.accountSid);
        out.put("date_created", world.rfc2822(conference.created));
        out.put("date_updated", world.rfc2822(conference.updated));
        out.put("api_version", "2010-04-01");
        out.put("friendly_name", conference.friendlyName);
        out.put("region", "us1");
        out.put("sid", conference.sid);
        out.put("status", conference.status);
        out.put("uri", uri);
        out.put("subresource_uris", Map.of("participants", uri.replace(".json", "/Participants.json")));
        out.put("reason_conference_ended", conference.reasonEnded);
        out.put("call_sid_ending_conference", conference.callSidEnding);
        return out;
    }

    Map<String, Object> participantJson(Conference conference, Participant participant) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("account_sid", world.accountSid);
        out.put("call_sid", participant.callSid);
        out.put("label", participant.label);
        out.put("call_sid_to_coach", participant.callSidToCoach);
        out.put("coaching", participant.coaching);
        out.put("conference_sid", conference.sid);
        out.put("date_created", world.rfc2822(participant.created));
        out.put("date_updated", world.rfc2822(participant.updated));
        out.put("end_conference_on_exit", participant.endOnExit);
        out.put("muted", participant.muted);
        out.put("hold", participant.hold);
        out.put("start_conference_on_enter", participant.startOnEnter);
        out.put("status", participant.status);
        out.put("queue_time", "0");
        out.put("uri", "/2010-04-01/Accounts/" + world.accountSid + "/Conferences/" + conference.sid + "/Participants/" + participant.callSid + ".json");
        return out;
    }

    private Map<String, Object> page(TwilioSimulator.Call request, String key, List<Map<String, Object>> items) {
        int pageSize = 50;
        if (request.first("PageSize") != null) {
            try {
                pageSize = Integer.parseInt(request.first("PageSize"));
            } catch (NumberFormatException e) {
                throw new TwilioError(400, 20001, "PageSize must be an integer");
            }
        }
        if (pageSize < 1 || pageSize > 1000) {
            throw new TwilioError(400, 20001, "PageSize must be between 1 and 1000");
        }
        String uri = request.path().group(0) + "?PageSize=" + pageSize + "&Page=0";
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(key, items.size() > pageSize ? items.subList(0, pageSize) : items);
        out.put("end", Math.max(0, Math.min(items.size(), pageSize) - 1));
        out.put("first_page_uri", uri);
        out.put("next_page_uri", null);
        out.put("page", 0);
        out.put("page_size", pageSize);
        out.put("previous_page_uri", null);
        out.put("start", 0);
        out.put("uri", uri);
        return out;
    }

    // ---------------------------------------------------------------- parameters

    private static String required(TwilioSimulator.Call request, String name, int code, String message) {
        String value = request.first(name);
        if (value == null || value.isBlank()) {
            throw new TwilioError(400, code, message);
        }
        return value.trim();
    }

    private static void checkAddress(String address, int code, String message) {
        if (!E164.matcher(address).matches() && !CLIENT.matcher(address).matches() && !SIP.matcher(address).matches()) {
            throw new TwilioError(400, code, message);
        }
    }

    private static void checkFrom(String from) {
        if (!E164.matcher(from).matches() && !CLIENT.matcher(from).matches()) {
            throw new TwilioError(400, 21212, "Invalid 'From' Phone Number: " + from);
        }
    }

    private static void checkAbsolute(String url, String name) {
        try {
            URI uri = URI.create(url);
            if (!uri.isAbsolute() || uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new TwilioError(400, 21205, name + " must be an absolute http(s) URL: " + url);
            }
        } catch (IllegalArgumentException e) {
            throw new TwilioError(400, 21205, name + " is not a valid URL: " + url);
        }
    }

    private static boolean bool(TwilioSimulator.Call request, String name, boolean fallback) {
        String value = request.first(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new TwilioError(400, 20001, name + " must be true or false");
        };
    }

    private static int timeout(String value, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Math.max(5, Math.min(600, Integer.parseInt(value.trim())));
        } catch (NumberFormatException e) {
            throw new TwilioError(400, 20001, "Timeout must be an integer");
        }
    }

    static String method(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim().toUpperCase(Locale.ROOT);
    }

    static Callback callback(String url, String method, Set<String> events) {
        return new Callback(url == null || url.isBlank() ? null : url, method(method, "POST"), events);
    }

    /** Event names given as repeated parameters or space-separated in one. */
    static Set<String> events(List<String> values, Set<String> fallback) {
        if (values == null || values.isEmpty()) {
            return fallback;
        }
        Set<String> events = new LinkedHashSet<>();
        for (String value : values) {
            for (String event : value.split("[\\s,]+")) {
                if (!event.isBlank()) {
                    events.add(event.toLowerCase(Locale.ROOT));
                }
            }
        }
        return events;
    }

    private static String resolve(SimCall call, String url) {
        if (url == null) {
            return null;
        }
        if (call.documentUrl == null) {
            return url;
        }
        return URI.create(call.documentUrl).resolve(url.trim()).toString();
    }
}
