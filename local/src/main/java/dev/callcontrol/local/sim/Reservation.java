package dev.callcontrol.local.sim;

import java.time.Instant;

/**
 * One reservation of a task for a worker, as Twilio's Reservation resource describes it:
 * {@code pending}, then {@code accepted}, {@code rejected}, {@code timeout}, {@code canceled},
 * {@code wrapping} or {@code completed}; and the worker's call leg an instruction rang
 * (https://www.twilio.com/docs/taskrouter/api/reservations). {@link Reservations} changes it.
 */
final class Reservation {
    final String sid;
    final String taskSid;
    final String workerSid;
    final Instant created;
    Instant updated;
    String status = "pending";
    SimClock.Timer timer;
    String workerCallSid;
    boolean callbackFallbackTried;

    Reservation(SimWorld world, String taskSid, String workerSid) {
        this.sid = world.sid("WR");
        this.taskSid = taskSid;
        this.workerSid = workerSid;
        this.created = world.now();
        this.updated = created;
    }
}
