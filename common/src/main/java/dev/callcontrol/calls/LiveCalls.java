package dev.callcontrol.calls;

import java.time.Instant;
import java.util.List;

/**
 * The calls still live, for the reconciler: every call record that is not an alias and is running, or ended with its tasks not yet settled,
 * found through an index that holds only those (a sparse index in DynamoDB), never by scanning the
 * table.
 */
public interface LiveCalls {
    /** A live call: its own task, and when its record last changed. */
    record Entry(String taskSid, Instant changedAt) {
    }

    /** Every live call, in task SID order. */
    List<Entry> live();

    /**
     * Where the last reconciler run stopped: the task SID of the last call it came to, so that the
     * next run goes on from there (empty before the first run). Runs at once may both move it; at
     * worst a call is visited twice.
     */
    java.util.Optional<String> cursor();

    /** Keeps where this run stopped, for the next one. */
    void cursor(String taskSid);
}
