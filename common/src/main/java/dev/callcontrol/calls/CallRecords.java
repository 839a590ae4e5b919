package dev.callcontrol.calls;

import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Where call records live: the state-store port (DynamoDB in production, in memory in unit tests). */
public interface CallRecords {
    /**
     * The record of the call a task belongs to: the call's own task, or a transfer task that
     * {@link #alias points at} it.
     */
    Optional<CallRecord> find(String taskSid);

    /**
     * Changes the record of the call whose own task is {@code taskSid} (not an alias; creating it with {@code create} when
     * absent) and writes it back if {@code change} answered true. {@code change} may run more than
     * once: when another writer won the race, it runs again on a fresh read.
     */
    Optional<CallRecord> update(String taskSid, Supplier<CallRecord> create, Predicate<CallRecord> change);

    /** Lets {@link #find} reach the call named by {@code callTaskSid} through another task's SID. */
    void alias(String taskSid, String callTaskSid);

    /**
     * Counts one call placed for a worker in the current minute of the store's clock, shared by
     * every container: answers 0 when it is counted, or, when the worker already has
     * {@code perMinute} this minute, the seconds until the next minute (nothing counted).
     */
    long countDial(String workerSid, int perMinute);
}
