package dev.callcontrol.local.sim;

import dev.callcontrol.local.sim.SimCall.Doing;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static dev.callcontrol.local.sim.Hearing.speakingTime;
import static dev.callcontrol.local.sim.Voice.DEFAULT_MUSIC;
import static dev.callcontrol.local.sim.Voice.FETCH_TIMEOUT;
import static dev.callcontrol.local.sim.Voice.callback;
import static dev.callcontrol.local.sim.Voice.method;

/**
 * TwiML, run on a call as Twilio's voice network runs it (https://www.twilio.com/docs/voice/twiml):
 * a document fetched from the product or given inline, its verbs one after the other, and the call
 * hanging up at the end of it. The verbs run are {@code <Say>}
 * (https://www.twilio.com/docs/voice/twiml/say), {@code <Play>} (https://www.twilio.com/docs/voice/twiml/play),
 * {@code <Pause>} (https://www.twilio.com/docs/voice/twiml/pause), {@code <Hangup>}
 * (https://www.twilio.com/docs/voice/twiml/hangup), {@code <Reject>}, {@code <Redirect>}
 * (https://www.twilio.com/docs/voice/twiml/redirect), {@code <Enqueue workflowSid>} with {@code <Task>}
 * (https://www.twilio.com/docs/voice/twiml/enqueue), and {@code <Dial>} with {@code <Conference>},
 * {@code <Number>}, {@code <Client>} or {@code <Sip>} and its {@code action} URL
 * (https://www.twilio.com/docs/voice/twiml/dial); others are skipped with an alert. {@link Twiml} parses
 * the documents. Every method runs under the world's lock.
 */
final class TwimlInterpreter {
    private final SimWorld world;

    TwimlInterpreter(SimWorld world) {
        this.world = world;
    }

    void fetchAndRun(SimCall call, String url, String method, Map<String, String> extra) {
        int generation = ++call.generation;
        call.doing = Doing.FETCHING;
        call.sound = Sound.SILENCE;
        Map<String, String> parameters = world.calls.callParameters(call);
        parameters.putAll(extra);
        world.outbox.send("TwiML for " + call.sid, method, url, parameters, FETCH_TIMEOUT, response -> {
            if (!call.live() || call.generation != generation) {
                return;
            }
            if (!response.ok()) {
                world.alert(11200, "HTTP retrieval failure: " + method + " " + url + " for call " + call.sid + ": " + response.describe());
                world.calls.end(call, "completed");
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
            world.calls.end(call, "completed");
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
        // [rule voice.twiml.end-hangs-up]
        if (verb == null) {
            world.calls.end(call, "completed");
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
            case "Hangup", "Reject" -> world.calls.end(call, "completed");
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

    // [rule voice.enqueue.workflow]
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
            world.hearing.fetchSound(call.sid, resolve(call, waitUrl), method(verb.attributes().get("waitUrlMethod"), "POST"), sound -> {
                if (call.generation == generation && call.doing == Doing.QUEUED) {
                    call.sound = sound;
                }
            });
        }
        call.queuedTask = world.tasks.enqueue(call, workflowSid, task == null ? null : task.text(),
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
            Conference existing = world.conferences.activeConference(noun.text());
            if (spec.label() != null && existing != null && existing.participants.values().stream().anyMatch(p -> spec.label().equals(p.label))) {
                // [rule voice.twiml.conference.label-in-use]
                world.alert(16025, "Dial->Conference: participantLabel " + spec.label() + " is in use by another participant in conference " + noun.text()
                        + " (call " + call.sid + " was not added)");
                call.dial = null;
                step(call);
                return;
            }
            if (coach != null) {
                Participant coached = existing == null ? null : existing.participants.get(coach);
                if (coached == null || !coached.connected()) {
                    // [rule voice.twiml.conference.coach-not-in-conference]
                    world.alert(13240, "Dial->Conference: invalid whisper SID " + coach + ": not connected to conference " + noun.text() + " (call " + call.sid + ")");
                    dialEnded(call, "failed");
                    return;
                }
            }
            Conference conference = existing != null ? existing : world.conferences.conferenceNamed(noun.text());
            if (noun.attribute("record", "do-not-record").equals("record-from-start")) {
                world.recordings.recordFromStart(conference, callback(noun.attributes().get("recordingStatusCallback"),
                        noun.attributes().get("recordingStatusCallbackMethod"),
                        new LinkedHashSet<>(Arrays.asList(noun.attribute("recordingStatusCallbackEvent", "completed").split("[\\s,]+")))));
            }
            world.conferences.join(call, conference, world.participants.newParticipant(conference, call), spec);
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
        SimCall child = world.calls.newCall(callerId, target, "outbound-dial", call.sid);
        call.doing = Doing.DIALING;
        call.sound = Sound.RINGING;
        call.bridgedWith = child.sid;
        child.onAnswer = () -> {
            child.doing = Doing.BRIDGED;
            child.bridgedWith = call.sid;
            call.doing = Doing.BRIDGED;
            call.bridgedWith = child.sid;
        };
        world.calls.ring(child, verb.integer("timeout", 30));
    }

    /** The {@code <Dial>} is over: its action URL decides what follows, else the next verb. */
    void dialEnded(SimCall call, String dialStatus) {
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
        // [rule voice.conference.leave-reason.updated-via-api]
        world.calls.leaveCurrent(call, "participant_updated_via_api", true);
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

    // [rule voice.dial.continues-after-conference]
    /** A call that left its conference goes on with its TwiML after the {@code <Dial>}; an API-made participant has none and hangs up. */
    void afterConference(SimCall call) {
        if (call.dial != null) {
            dialEnded(call, "completed");
        } else {
            step(call);
        }
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
