package dev.callcontrol.local.sim;

import java.time.Duration;
import java.time.Instant;

/**
 * One recording of a conference, as Twilio's Conference Recording resource describes it
 * (twilio-oai {@code api.v2010.account.conference.conference_recording}): {@code in-progress},
 * {@code paused}, {@code stopped}, {@code completed}, and how much audio it holds. A pause with
 * {@code PauseBehavior} {@code skip} adds nothing to it; one with {@code silence} adds its length in
 * silence. {@link ConferenceRecordings} changes it.
 */
final class ConferenceRecording {
    final String sid;
    final Conference conference;
    final Instant created;
    final Callback callback;
    Instant updated;
    String status = "in-progress";
    /** The behaviour of the pause under way ({@code skip} or {@code silence}); null while it is not paused. */
    String pauseBehavior;
    /** Audio recorded up to {@link #since}, and when the current stretch began. */
    Duration recorded = Duration.ZERO;
    Instant since;

    ConferenceRecording(SimWorld world, Conference conference, Callback callback) {
        this.sid = world.sid("RE");
        this.conference = conference;
        this.created = world.now();
        this.updated = created;
        this.since = created;
        this.callback = callback;
    }

    /** Whether it can still be paused, resumed or stopped. */
    boolean active() {
        return status.equals("in-progress") || status.equals("paused");
    }

    /** Audio it holds at {@code now}: every in-progress stretch, and every silenced pause. */
    Duration length(Instant now) {
        boolean counting = status.equals("in-progress") || status.equals("paused") && "silence".equals(pauseBehavior);
        return counting && since != null ? recorded.plus(Duration.between(since, now)) : recorded;
    }

    /** Closes the stretch under way at {@code now} and opens the next one as {@code next} says. */
    void moveTo(String next, String behavior, Instant now) {
        recorded = length(now);
        since = now;
        status = next;
        pauseBehavior = next.equals("paused") ? behavior : null;
        updated = now;
    }
}
