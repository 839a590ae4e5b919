package dev.callcontrol.local.sim;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.callcontrol.local.sim.Voice.bool;
import static dev.callcontrol.local.sim.Voice.callback;
import static dev.callcontrol.local.sim.Voice.checkAbsolute;
import static dev.callcontrol.local.sim.Voice.checkAddress;
import static dev.callcontrol.local.sim.Voice.checkFrom;
import static dev.callcontrol.local.sim.Voice.events;
import static dev.callcontrol.local.sim.Voice.method;
import static dev.callcontrol.local.sim.Voice.page;
import static dev.callcontrol.local.sim.Voice.required;
import static dev.callcontrol.local.sim.Voice.requireAccount;
import static dev.callcontrol.local.sim.Voice.timeout;

/**
 * Programmable Voice's conference Participant resource: create a participant (by {@code CF} SID or
 * by name, dialling its {@code To}), fetch, update and remove it by call SID or label, and list a
 * conference's participants, with hold ({@code HoldUrl}, {@code HoldMethod}), mute, coaching
 * ({@code CallSidToCoach}), {@code EndConferenceOnExit}, wait music and announcements
 * (https://www.twilio.com/docs/voice/api/conference-participant-resource). Every method runs under
 * the world's lock.
 */
final class Participants {
    private final SimWorld world;

    Participants(SimWorld world) {
        this.world = world;
    }

    /** A participant addressed by call SID or label, as Twilio allows. */
    Participant participant(TwilioSimulator.Call request) {
        Conference conference = world.conferences.conference(request);
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

    Object createParticipant(TwilioSimulator.Call request) {
        requireAccount(world, request);
        String key = URLDecoder.decode(request.variable(2), StandardCharsets.UTF_8);
        Conference conference;
        if (key.matches("^CF[0-9a-fA-F]{32}$")) {
            conference = world.conferences.get(key);
            if (conference == null) {
                throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
            }
            if (!conference.active()) {
                throw new TwilioError(400, 16022, "Conference " + key + " does not exist or is completed");
            }
        } else {
            conference = world.conferences.conferenceNamed(key);
        }
        String to = required(request, "To", 21201, "No 'To' number is specified");
        String from = required(request, "From", 21213, "No 'From' number is specified");
        checkAddress(to, 21211, "Invalid 'To' Phone Number: " + to);
        checkFrom(from);
        world.calls.requireOwnCallerId(from);
        String label = request.first("Label");
        Conference target = conference;
        if (label != null && target.participants.values().stream().anyMatch(p -> label.equals(p.label))) {
            // [rule voice.participant.label-in-use]
            throw new TwilioError(400, 16026, "Participant label " + label + " is already in use by another participant in conference " + target.sid);
        }
        String coach = request.first("CallSidToCoach");
        // [rule voice.participant.coaching-default]
        boolean coaching = request.first("Coaching") == null ? coach != null && !coach.isBlank() : bool(request, "Coaching", false);
        if (coaching) {
            requireCoachable(target, coach, true);
        }
        // [rule voice.participant.beep-default]
        JoinSpec spec = new JoinSpec(label, bool(request, "Muted", false), !"false".equals(request.first("Beep")),
                bool(request, "StartConferenceOnEnter", true), bool(request, "EndConferenceOnExit", false), coaching, coach,
                request.first("WaitUrl"), method(request.first("WaitMethod"), "POST"),
                callback(request.first("ConferenceStatusCallback"), request.first("ConferenceStatusCallbackMethod"),
                        events(request.parameters().get("ConferenceStatusCallbackEvent"), Set.of("start", "end"))));
        Integer timeLimit = TimeLimits.parse(request.first("TimeLimit"));
        SimCall call = world.calls.newCall(from, to, "outbound-api", null);
        TimeLimits.placed(world, call, timeLimit);
        call.statusCallback = callback(request.first("StatusCallback"), request.first("StatusCallbackMethod"),
                events(request.parameters().get("StatusCallbackEvent"), Set.of("completed")));
        Participant participant = new Participant(world, call.sid);
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
                world.calls.end(call, "completed");
                return;
            }
            world.conferences.join(call, target, participant, spec);
        };
        call.onAddFailed = () -> world.conferences.addFailed(target, participant);
        call.onUnanswered = status -> {
            participant.status = "failed";
            target.participants.remove(call.sid);
        };
        participant.status = "queued";
        world.calls.ring(call, timeout(request.first("Timeout"), 60));
        return new TwilioSimulator.Created(participantJson(target, participant));
    }

    Object listParticipants(TwilioSimulator.Call request) {
        Conference conference = world.conferences.conference(request);
        String muted = request.first("Muted");
        String hold = request.first("Hold");
        String coaching = request.first("Coaching");
        List<Participant> items = conference.participants.values().stream()
                .filter(p -> muted == null || Boolean.parseBoolean(muted) == p.muted)
                .filter(p -> hold == null || Boolean.parseBoolean(hold) == p.hold)
                .filter(p -> coaching == null || Boolean.parseBoolean(coaching) == p.coaching)
                .toList();
        // A participant is named by its call's SID, in the list as in its own path.
        return page(world, request, "participants", "CA", items, p -> p.callSid, p -> participantJson(conference, p));
    }

    Object updateParticipant(TwilioSimulator.Call request) {
        Conference conference = world.conferences.conference(request);
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
            requireCoachable(conference, coach, false);
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
            world.hearing.fetchSound(participant.callSid, waitUrl, method(request.first("WaitMethod"), "POST"), sound -> participant.waitSound = sound);
        }
        if (request.first("Hold") != null) {
            boolean hold = bool(request, "Hold", false);
            if (hold && !heldBefore) {
                participant.hold = true;
                int generation = ++participant.holdGeneration;
                // HoldMethod defaults to GET, unlike Twilio's other callbacks.
                world.hearing.fetchSound(participant.callSid, holdUrl, method(request.first("HoldMethod"), "GET"), sound -> {
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
            world.conferences.announce(conference, participant, announceUrl, method(request.first("AnnounceMethod"), "POST"));
        }
        participant.updated = world.now();
        for (String event : events) {
            world.conferences.conferenceEvent(conference, event, participant, Map.of());
        }
        return participantJson(conference, participant);
    }

    Object deleteParticipant(TwilioSimulator.Call request) {
        Conference conference = world.conferences.conference(request);
        Participant participant = participant(request);
        SimCall call = world.calls.find(participant.callSid);
        if (!participant.connected()) {
            if (call != null && call.live()) {
                world.calls.unanswered(call, "canceled");
            }
            conference.participants.remove(participant.callSid);
            return null;
        }
        // Twilio's list of ReasonParticipantLeft has no value for a participant removed with DELETE; participant_updated_via_api
        // and participant_hung_up both fit ([rule voice.conference.leave-reason.participant-removed]).
        String reason = world.rules.is("voice.conference.leave-reason.participant-removed", "participant-hung-up") ? "participant_hung_up" : "participant_updated_via_api";
        world.conferences.leave(conference, participant, reason, true, true);
        return null;
    }

    Participant newParticipant(Conference conference, SimCall call) {
        Participant participant = new Participant(world, call.sid);
        conference.participants.put(call.sid, participant);
        return participant;
    }

    /**
     * The call a coach is to whisper to must be connected to the conference and not on hold: adding
     * a coach otherwise fails with 16028 (not present) or 16027 (on hold)
     * ([rule voice.participant.coach-not-in-conference]); an update naming such a call is refused
     * the same way ([rule voice.participant.update-coach-not-in-conference]).
     */
    private void requireCoachable(Conference conference, String coach, boolean adding) {
        if (coach == null || coach.isBlank()) {
            throw new TwilioError(400, 20001, "CallSidToCoach is required when Coaching is true");
        }
        Participant coached = conference.participants.get(coach);
        if (coached == null || !coached.connected()) {
            throw new TwilioError(400, 16028, "The participant to be whispered (" + coach + ") is not present in conference " + conference.sid
                    + (adding ? ", so the coach cannot be added" : ""));
        }
        if (coached.hold) {
            throw new TwilioError(400, 16027, "The participant to be whispered (" + coach + ") is on hold" + (adding ? ", so the coach cannot be added" : ""));
        }
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
}
