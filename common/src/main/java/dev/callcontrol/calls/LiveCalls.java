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
}
