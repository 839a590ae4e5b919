package dev.callcontrol.local.sim;

import java.time.Instant;

/**
 * One participant of a conference, as Twilio's Participant resource describes it: its label,
 * status, mute, hold, coaching, start/end-on-enter/exit flags, and the sounds it hears on hold, while
 * waiting and as an announcement (https://www.twilio.com/docs/voice/api/conference-participant-resource).
 * {@link Participants} and {@link Conferences} change it.
 */
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
    Sound holdSound = Sound.music(Voice.DEFAULT_MUSIC);
    Sound waitSound = Sound.music(Voice.DEFAULT_MUSIC);
    Sound announcement;
    SimClock.Timer announcementTimer;
    int holdGeneration;

    Participant(SimWorld world, String callSid) {
        this.callSid = callSid;
        this.created = world.now();
        this.updated = created;
    }

    boolean connected() {
        return status.equals("connected");
    }
}
