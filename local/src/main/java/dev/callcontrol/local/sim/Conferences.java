package dev.callcontrol.local.sim;

import dev.callcontrol.local.sim.SimCall.Doing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.callcontrol.local.sim.Hearing.speakingTime;
import static dev.callcontrol.local.sim.Voice.checkAbsolute;
import static dev.callcontrol.local.sim.Voice.method;
import static dev.callcontrol.local.sim.Voice.page;
import static dev.callcontrol.local.sim.Voice.requireAccount;
import static dev.callcontrol.local.sim.Voice.FETCH_TIMEOUT;

/**
 * Programmable Voice's Conference resource: fetch and list conferences (by {@code FriendlyName} and
 * {@code Status}), end one or play it an announcement
 * (https://www.twilio.com/docs/voice/api/conference-resource); and a conference's life: calls join and
 * leave it, it starts when a participant with {@code startConferenceOnEnter} is in and ends for Twilio's
 * reasons, and its events go to the first participant's {@code ConferenceStatusCallback}
 * (https://www.twilio.com/docs/voice/api/conference-participant-resource#request-body-parameters,
 * https://www.twilio.com/docs/voice/twiml/conference). Every method runs under the world's lock.
 */
final class Conferences {
    private final SimWorld world;
    private final Map<String, Conference> conferences = new LinkedHashMap<>();

    Conferences(SimWorld world) {
        this.world = world;
    }

    // ---------------------------------------------------------------- lookups

    Conference activeConference(String friendlyName) {
        return conferences.values().stream().filter(c -> c.active() && c.friendlyName.equals(friendlyName)).findFirst().orElse(null);
    }

    Conference get(String conferenceSid) {
        return conferences.get(conferenceSid);
    }

    Conference conference(TwilioSimulator.Call request) {
        requireAccount(world, request);
        Conference conference = conferences.get(request.variable(2));
        if (conference == null) {
            throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
        }
        return conference;
    }

    // ---------------------------------------------------------------- REST

    Object listConferences(TwilioSimulator.Call request) {
        requireAccount(world, request);
        String name = request.first("FriendlyName");
        String status = request.first("Status");
        List<Conference> items = conferences.values().stream()
                .filter(c -> name == null || name.equals(c.friendlyName))
                .filter(c -> status == null || status.equals(c.status))
                .toList();
        return page(world, request, "conferences", "CF", items, c -> c.sid, this::conferenceJson);
    }

    Object updateConference(TwilioSimulator.Call request) {
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

    // ---------------------------------------------------------------- joining and leaving

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
            world.hearing.fetchSound(call.sid, spec.waitUrl(), spec.waitMethod(), sound -> participant.waitSound = sound);
        }
        conferenceEvent(conference, "participant-join", participant, Map.of());
        if (conference.status.equals("init") && participant.startOnEnter) {
            conference.status = "in-progress";
            conference.updated = world.now();
            conferenceEvent(conference, "conference-start", null, Map.of());
            world.recordings.conferenceStarted(conference);
        }
    }

    /** Creates (or finds) the active conference with this name. */
    Conference conferenceNamed(String name) {
        Conference conference = activeConference(name);
        if (conference == null) {
            conference = new Conference(world, name);
            conferences.put(conference.sid, conference);
        }
        return conference;
    }

    /**
     * A connected participant leaves: {@code reason} is the {@code ReasonParticipantLeft} its
     * {@code participant-leave} event carries, {@code kicked} whether the API took it out (which
     * names the conference's end, if its leaving ends it).
     */
    void leave(Conference conference, Participant participant, String reason, boolean continueProgram, boolean kicked) {
        conference.participants.remove(participant.callSid);
        participant.status = "complete";
        SimClock.cancel(participant.announcementTimer);
        SimCall call = world.calls.find(participant.callSid);
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
            world.twiml.afterConference(call);
        }
    }

    /**
     * Ends the conference for {@code reason}, a {@code ReasonConferenceEnded} value
     * ([rule voice.conference.end-reason]): every connected participant leaves, every one still
     * ringing is canceled, then {@code conference-end} is posted.
     */
    void endConference(Conference conference, String reason, String callSidEnding) {
        if (!conference.active()) {
            return;
        }
        conference.status = "completed";
        conference.reasonEnded = reason;
        conference.callSidEnding = callSidEnding;
        conference.updated = world.now();
        SimClock.cancel(conference.announcementTimer);
        String leftBecause = leftBecauseEnded(reason);
        for (Participant participant : new ArrayList<>(conference.participants.values())) {
            SimCall call = world.calls.find(participant.callSid);
            if (participant.connected()) {
                leave(conference, participant, leftBecause, true, false);
            } else {
                // A participant still ringing is canceled; one the API added reports participant_add_failed ([rule voice.participant.add-failed-leave]).
                conference.participants.remove(participant.callSid);
                if (call != null && call.live()) {
                    world.calls.unanswered(call, "canceled");
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
        world.recordings.conferenceEnded(conference);
        world.tasks.conferenceEnded(conference.friendlyName);
    }

    /**
     * The {@code ReasonParticipantLeft} of the participants a conference's end takes with it. Twilio
     * lists {@code conference_ended_via_api} and {@code moderator_ended_conference} among the values
     * (https://www.twilio.com/docs/voice/twiml/conference#attributes-status-callback-parameters). The
     * last participant leaving leaves nobody connected, so no other reason is needed.
     */
    private static String leftBecauseEnded(String reasonEnded) {
        return switch (reasonEnded) {
            // [rule voice.conference.leave-reason.conference-ended-via-api]
            case "conference-ended-via-api" -> "conference_ended_via_api";
            // [rule voice.conference.leave-reason.moderator-ended]
            default -> "moderator_ended_conference";
        };
    }

    /**
     * A participant the Participants API added never connected (busy, no-answer, failed, canceled):
     * since 2023-10-25 Twilio reports it with {@code participant-leave}, {@code ReasonParticipantLeft}
     * {@code participant_add_failed} and the call's status as {@code ParticipantCallStatus}
     * (https://www.twilio.com/en-us/changelog/participantcallstatus-and-reasonparticipantleft-attributes-added).
     * [rule voice.participant.add-failed-leave]
     */
    void addFailed(Conference conference, Participant participant) {
        conferenceEvent(conference, "participant-leave", participant, Map.of("ReasonParticipantLeft", "participant_add_failed"));
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

    void announce(Conference conference, Participant participant, String url, String method) {
        String key = participant == null ? conference.sid : participant.callSid;
        world.hearing.fetchSound(key, url, method, sound -> {
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

    Participant participantOf(SimCall call) {
        for (Conference conference : conferences.values()) {
            Participant participant = conference.participants.get(call.sid);
            if (participant != null && conference.active()) {
                return participant;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- seeding, for benchmarks

    /** One live call to seed: the conference's name (a task SID), the customer's number and the agent's address. */
    record Seed(String name, String customer, String agent) {
    }

    /**
     * Live calls in bulk, for benchmarks ({@code POST /sim/conferences/seed}). For each seed: an
     * answered inbound call from {@code customer} to the demo number and an answered call from the
     * demo number to {@code agent}, both connected to a new in-progress conference named
     * {@code name}, joined with the settings the {@code conference} instruction gives them by
     * default (no label, unmuted, start on enter, no end on exit). That is the state a call set up
     * by the conference instruction is in once both legs have joined, and nothing more: no
     * TaskRouter task or reservation exists for it, no TwiML runs, no status callback and no
     * conference event is sent for the joins (whoever seeds writes the product's records itself, as
     * though those events had been delivered). The conference's later events (a leave, its end)
     * go to {@code callback}, when it has a URL. A name already in use by a live conference, or
     * given twice, is refused (400) and nothing is seeded.
     */
    List<Map<String, String>> seedLive(List<Seed> seeds, Callback callback) {
        java.util.Set<String> names = new java.util.HashSet<>();
        conferences.values().stream().filter(Conference::active).forEach(c -> names.add(c.friendlyName));
        for (Seed seed : seeds) {
            if (seed.name() == null || seed.name().isBlank() || !names.add(seed.name())) {
                throw new TwilioError(400, 20001, "conference name '" + seed.name() + "' is empty, in use, or given twice");
            }
            if (seed.customer() == null || !Voice.E164.matcher(seed.customer()).matches()) {
                throw new TwilioError(400, 21212, "the customer's number must be E.164, not " + seed.customer());
            }
            Voice.checkAddress(seed.agent() == null ? "" : seed.agent(), 21211, "Invalid agent address: " + seed.agent());
        }
        List<Map<String, String>> seeded = new ArrayList<>();
        for (Seed seed : seeds) {
            Conference conference = new Conference(world, seed.name());
            conferences.put(conference.sid, conference);
            SimCall agent = connectedCall(DemoWorkspace.PHONE_NUMBER, seed.agent(), "outbound-api");
            SimCall customer = connectedCall(seed.customer(), DemoWorkspace.PHONE_NUMBER, "inbound");
            JoinSpec spec = new JoinSpec(null, false, true, true, false, false, null, null, "POST", null);
            join(agent, conference, world.participants.newParticipant(conference, agent), spec);
            join(customer, conference, world.participants.newParticipant(conference, customer), spec);
            conference.callback = callback;
            Map<String, String> out = new LinkedHashMap<>();
            out.put("name", seed.name());
            out.put("conferenceSid", conference.sid);
            out.put("customerCallSid", customer.sid);
            out.put("agentCallSid", agent.sid);
            seeded.add(out);
        }
        return seeded;
    }

    /** A call that is already in progress, as an answered one is, with no TwiML and no status callback. */
    private SimCall connectedCall(String from, String to, String direction) {
        SimCall call = world.calls.newCall(from, to, direction, null);
        call.status = "in-progress";
        call.started = world.now();
        call.updated = call.started;
        return call;
    }

    // ---------------------------------------------------------------- events

    /** Conference events go to the first participant's callback, for the events it asked for, numbered in order. */
    void conferenceEvent(Conference conference, String event, Participant participant, Map<String, String> extra) {
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
            SimCall call = world.calls.find(participant.callSid);
            if (call != null && event.equals("participant-leave")) {
                // [rule voice.conference.participant-leave-parameters]
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
}
