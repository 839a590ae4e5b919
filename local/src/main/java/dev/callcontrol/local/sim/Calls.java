package dev.callcontrol.local.sim;

import dev.callcontrol.local.sim.SimCall.Doing;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.callcontrol.local.sim.Voice.E164;
import static dev.callcontrol.local.sim.Voice.FETCH_TIMEOUT;
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
 * Programmable Voice's Call resource: create, fetch, list and update calls (with {@code Twiml},
 * {@code Url} or {@code Status}), at https://www.twilio.com/docs/voice/api/call-resource; and a call's
 * life: it rings, is answered (and runs its TwiML in {@link TwimlInterpreter}), fails or ends, and
 * sends the status callbacks it asked for
 * (https://www.twilio.com/docs/voice/api/call-resource#statuscallbackevent). A customer dialling one of
 * the simulator's numbers starts here too. Every method runs under the world's lock.
 */
final class Calls {
    private final SimWorld world;
    private final Map<String, SimCall> calls = new LinkedHashMap<>();
    /** The TwiML each simulated phone number runs for an incoming call. */
    private final Map<String, String> numbers = new LinkedHashMap<>();

    Calls(SimWorld world) {
        this.world = world;
        for (String number : List.of(DemoWorkspace.PHONE_NUMBER, DemoWorkspace.SECOND_NUMBER)) {
            numbers.put(number, "<Response><Enqueue workflowSid=\"" + DemoWorkspace.WORKFLOW_SID + "\"/></Response>");
        }
    }

    // ---------------------------------------------------------------- lookups

    /**
     * [rule voice.from.account-number] A phone number placed as a call's or a participant's
     * {@code From} must be one of the account's numbers (or a verified caller ID, of which the
     * simulated account has none): 21210 otherwise. A {@code client:} identity is not a number.
     */
    void requireOwnCallerId(String from) {
        if (from.startsWith("+") && !numbers.containsKey(from)) {
            throw new TwilioError(400, 21210, "The source phone number provided, " + from + ", is not yet verified for your account. "
                    + "You may only make calls from phone numbers that you've verified or purchased from Twilio.");
        }
    }

    SimCall find(String callSid) {
        return calls.get(callSid);
    }

    /** Every call, live or ended, in the order they were made. */
    Collection<SimCall> all() {
        return calls.values();
    }

    SimCall call(TwilioSimulator.Call request) {
        requireAccount(world, request);
        SimCall call = calls.get(request.variable(2));
        if (call == null) {
            throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
        }
        return call;
    }

    // ---------------------------------------------------------------- REST: calls

    Object createCall(TwilioSimulator.Call request) {
        requireAccount(world, request);
        String to = required(request, "To", 21201, "No 'To' number is specified");
        String from = required(request, "From", 21213, "No 'From' number is specified");
        checkAddress(to, 21211, "Invalid 'To' Phone Number: " + to);
        checkFrom(from);
        requireOwnCallerId(from);
        String url = request.first("Url");
        String twiml = request.first("Twiml");
        if ((url == null || url.isBlank()) && (twiml == null || twiml.isBlank()) && request.first("ApplicationSid") == null) {
            throw new TwilioError(400, 21205, "Url parameter is required");
        }
        if (url != null && !url.isBlank()) {
            checkAbsolute(url, "Url");
        }
        Integer timeLimit = TimeLimits.parse(request.first("TimeLimit"));
        SimCall call = newCall(from, to, "outbound-api", null);
        TimeLimits.placed(world, call, timeLimit);
        call.answerUrl = url;
        call.answerMethod = method(request.first("Method"), "POST");
        call.answerTwiml = twiml;
        call.statusCallback = callback(request.first("StatusCallback"), request.first("StatusCallbackMethod"),
                events(request.parameters().get("StatusCallbackEvent"), Set.of("completed")));
        ring(call, timeout(request.first("Timeout"), 60));
        return new TwilioSimulator.Created(callJson(call));
    }

    Object listCalls(TwilioSimulator.Call request) {
        requireAccount(world, request);
        String status = request.first("Status");
        String to = request.first("To");
        String from = request.first("From");
        String parent = request.first("ParentCallSid");
        List<SimCall> items = calls.values().stream()
                .filter(c -> status == null || status.equals(c.status))
                .filter(c -> to == null || to.equals(c.to))
                .filter(c -> from == null || from.equals(c.from))
                .filter(c -> parent == null || parent.equals(c.parentSid))
                .toList();
        return page(world, request, "calls", "CA", items, c -> c.sid, this::callJson);
    }

    Object updateCall(TwilioSimulator.Call request) {
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
            // [rule voice.call.update-status]
            // Canceling only affects a call that has not been answered (https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource).
            if (!call.status.equals("in-progress")) {
                unanswered(call, "canceled");
            }
        } else if ("completed".equals(status)) {
            if (call.status.equals("in-progress")) {
                // Twilio lists participant_hung_up and participant_updated_via_api and says nothing of which a call
                // hung up with Status=completed reports ([rule voice.conference.leave-reason.call-completed-via-api]).
                end(call, "completed", world.rules.is("voice.conference.leave-reason.call-completed-via-api", "participant-updated-via-api")
                        ? "participant_updated_via_api" : "participant_hung_up");
            } else {
                unanswered(call, "canceled");
            }
        } else if (twiml != null || url != null) {
            if (call.status.equals("in-progress")) {
                // [rule voice.conference.leave-reason.updated-via-api]
                leaveCurrent(call, "participant_updated_via_api", true);
                if (twiml != null && !twiml.isBlank()) {
                    world.twiml.runTwiml(call, twiml, call.documentUrl);
                } else {
                    world.twiml.fetchAndRun(call, url, method(request.first("Method"), "POST"), Map.of());
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

    // ---------------------------------------------------------------- calls: ringing, answering, ending

    SimCall newCall(String from, String to, String direction, String parentSid) {
        SimCall call = new SimCall(world, from, to, direction, parentSid);
        calls.put(call.sid, call);
        return call;
    }

    /** An outbound leg starts ringing; it ends "no-answer" when {@code timeoutSeconds} pass unanswered. */
    // [rule voice.call.ring-timeout]
    void ring(SimCall call, int timeoutSeconds) {
        statusCallback(call, "initiated");
        world.outbox.later("ring " + call.sid, () -> {
            if (!call.status.equals("queued")) {
                return;
            }
            call.status = "ringing";
            call.updated = world.now();
            Participant participant = world.conferences.participantOf(call);
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
        TimeLimits.answered(world, call);
        call.status = "in-progress";
        call.started = world.now();
        call.updated = call.started;
        call.sound = Sound.SILENCE;
        statusCallback(call, "answered");
        if (call.onAnswer != null) {
            call.onAnswer.run();
        } else if (call.answerTwiml != null && !call.answerTwiml.isBlank()) {
            world.twiml.runTwiml(call, call.answerTwiml, null);
        } else if (call.answerUrl != null) {
            world.twiml.fetchAndRun(call, call.answerUrl, call.answerMethod, Map.of());
        } else {
            end(call, "completed");
        }
    }

    /** The leg never connected: busy, no-answer, failed or canceled. */
    // [rule voice.call.status-values]
    void unanswered(SimCall call, String status) {
        if (!call.live()) {
            return;
        }
        if (call.status.equals("in-progress")) {
            end(call, "completed");
            return;
        }
        SimClock.cancel(call.ringTimer);
        SimClock.cancel(call.limitTimer);
        call.status = status;
        call.ended = world.now();
        call.updated = call.ended;
        // A participant the API added reports its failure with participant-leave as well; Twilio does not say whether
        // before or after the call's own status callback, and the two go to different URLs ([rule voice.participant.add-failed-leave-order]).
        boolean leaveFirst = call.onAddFailed != null && world.rules.is("voice.participant.add-failed-leave-order", "before-status-callback");
        if (leaveFirst) {
            call.onAddFailed.run();
        }
        statusCallback(call, "completed");
        if (call.onAddFailed != null && !leaveFirst) {
            call.onAddFailed.run();
        }
        if (call.onUnanswered != null) {
            call.onUnanswered.accept(status);
        }
        if (call.parentSid != null) {
            SimCall parent = calls.get(call.parentSid);
            if (parent != null && parent.live() && parent.doing == Doing.DIALING) {
                world.twiml.dialEnded(parent, status);
            }
        }
        call.onEnd.forEach(Runnable::run);
    }

    /** Hangs up a call that is connected (by the person or by TwiML): in a conference it leaves as participant_hung_up. */
    void end(SimCall call, String status) {
        // [rule voice.conference.leave-reason.hung-up]
        end(call, status, "participant_hung_up");
    }

    /** Hangs up a connected call; {@code leaveReason} is the {@code ReasonParticipantLeft} if it was in a conference. */
    void end(SimCall call, String status, String leaveReason) {
        if (!call.live()) {
            return;
        }
        if (!call.status.equals("in-progress")) {
            unanswered(call, status.equals("completed") ? "canceled" : status);
            return;
        }
        SimClock.cancel(call.stepTimer);
        SimClock.cancel(call.limitTimer);
        call.generation++;
        call.status = status;
        leaveCurrent(call, leaveReason, false);
        call.ended = world.now();
        call.updated = call.ended;
        call.doing = null;
        statusCallback(call, "completed");
        call.onEnd.forEach(Runnable::run);
    }

    /**
     * Takes the call out of whatever it is doing (queue, conference, dial), as a hang-up or redirect
     * does; leaving a conference, {@code reason} is its {@code ReasonParticipantLeft} and {@code kicked}
     * whether the API took it out.
     */
    void leaveCurrent(SimCall call, String reason, boolean kicked) {
        SimClock.cancel(call.stepTimer);
        call.generation++;
        call.program.clear();
        Doing doing = call.doing;
        call.doing = null;
        if (doing == Doing.QUEUED && call.queuedTask != null) {
            String task = call.queuedTask;
            call.queuedTask = null;
            world.tasks.callerLeftQueue(task, call);
        } else if (doing == Doing.CONFERENCE && call.conferenceSid != null) {
            Conference conference = world.conferences.get(call.conferenceSid);
            Participant participant = conference == null ? null : conference.participants.get(call.sid);
            if (participant != null) {
                world.conferences.leave(conference, participant, reason, false, kicked);
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
                    world.twiml.dialEnded(other, "completed");
                }
            }
        }
        call.dial = null;
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

    // [rule voice.call.status-callback-events]
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
}
