package dev.callcontrol.agent;

import dev.callcontrol.calls.CallRecord.StoredAnswer;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * Where {@link Idempotency} keeps its keys: in a call's record (commands on a call), or in items of
 * their own keyed by the caller and the key ({@code POST /calls}, which has no call record yet). Each
 * step is one conditional write, so that two requests racing with one key never both run.
 */
public interface IdempotencyKeys {
    /**
     * In one conditional step: when nothing is kept under {@code id}, or what is kept is
     * {@code replaceable} (an in-progress marker that has expired), keeps {@code marker} there and
     * answers null; otherwise changes nothing and answers what is kept.
     */
    StoredAnswer claim(String id, StoredAnswer marker, Predicate<StoredAnswer> replaceable);

    /** Replaces {@code marker} with {@code answer}, if the marker is still what is kept under {@code id}. */
    void keep(String id, StoredAnswer marker, StoredAnswer answer);

    /** Removes {@code marker}, if it is still what is kept under {@code id}: the key is free again. */
    void release(String id, StoredAnswer marker);

    /** Whether {@code kept} is {@code marker}: the same run's in-progress marker, not one that took over after it expired. */
    static boolean sameRun(StoredAnswer kept, StoredAnswer marker) {
        return kept != null && kept.status == 0 && Objects.equals(kept.startedAt, marker.startedAt)
                && Objects.equals(kept.by, marker.by) && Objects.equals(kept.fingerprint, marker.fingerprint);
    }
}
