package dev.callcontrol.local.sim;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * One TaskRouter task, as Twilio's Task resource describes it: {@code pending}, {@code reserved},
 * {@code assigned}, {@code wrapping}, then {@code completed} or {@code canceled}; its attributes,
 * priority, timeout, queue, workflow, channel and version (its ETag)
 * (https://www.twilio.com/docs/taskrouter/api/task). {@link Tasks} changes it.
 */
final class Task {
    final String sid;
    final Instant created;
    Instant updated;
    Instant queueEntered;
    String status = "pending";
    String attributes;
    int priority;
    int timeout;
    String reason;
    String queueSid;
    String workflowSid;
    String channel;
    String callSid;
    int version;
    boolean connectedByConference;
    final Set<String> rejectedBy = new HashSet<>();
    SimClock.Timer ttl;

    Task(SimWorld world) {
        this.sid = world.sid("WT");
        this.created = world.now();
        this.updated = created;
        this.queueEntered = created;
    }
}
