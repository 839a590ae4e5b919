package dev.callcontrol.local.sim;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One call leg, as Twilio's Call resource describes it: {@code queued}, {@code ringing},
 * {@code in-progress}, then {@code completed}, or it ends {@code busy}, {@code no-answer},
 * {@code canceled} or {@code failed} (https://www.twilio.com/docs/voice/api/call-resource#call-status-values);
 * plus what the simulator needs to run it: its TwiML program, what it is doing, and what it hears.
 * {@link Calls} and {@link TwimlInterpreter} change it.
 */
final class SimCall {
    private static final Set<String> TERMINAL = Set.of("completed", "busy", "failed", "no-answer", "canceled");

    enum Doing { RINGING, FETCHING, SAYING, PLAYING, PAUSING, QUEUED, CONFERENCE, DIALING, BRIDGED }

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
    /** For a participant the Participants API added: reports its failure to the conference (see {@link Calls#unanswered}). */
    Runnable onAddFailed;
    final List<Runnable> onEnd = new ArrayList<>();
    SimClock.Timer ringTimer;
    /** The TimeLimit the call was placed with (seconds), and the timer that ends it ({@link TimeLimits}). */
    Integer timeLimitSeconds;
    SimClock.Timer limitTimer;
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

    SimCall(SimWorld world, String from, String to, String direction, String parentSid) {
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
