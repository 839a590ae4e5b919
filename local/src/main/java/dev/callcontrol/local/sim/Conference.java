package dev.callcontrol.local.sim;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One conference, as Twilio's Conference resource describes it: {@code init}, {@code in-progress},
 * {@code completed}, the reason it ended, its participants, and the callback that receives its events
 * (https://www.twilio.com/docs/voice/api/conference-resource). {@link Conferences} changes it.
 */
final class Conference {
    final String sid;
    final String friendlyName;
    final Instant created;
    Instant updated;
    String status = "init";
    Callback callback;
    boolean callbackChosen;
    int sequence;
    String reasonEnded;
    String callSidEnding;
    Sound announcement;
    SimClock.Timer announcementTimer;
    final Map<String, Participant> participants = new LinkedHashMap<>();

    Conference(SimWorld world, String friendlyName) {
        this.sid = world.sid("CF");
        this.friendlyName = friendlyName;
        this.created = world.now();
        this.updated = created;
    }

    boolean active() {
        return !status.equals("completed");
    }

    List<Participant> connected() {
        return participants.values().stream().filter(Participant::connected).toList();
    }
}
