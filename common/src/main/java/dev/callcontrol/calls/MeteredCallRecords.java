package dev.callcontrol.calls;

import dev.callcontrol.metrics.CallMetrics;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The call records, counting what each write changes ({@link RecordTransitions}). Every path that
 * holds a customer or moves a transfer on (an agent's command, a Twilio webhook, the reconciler)
 * does it with a conditional write of the call's record; counting the writes that landed, and only
 * them, counts each hold and each transfer outcome once, whoever caused it, and never for the
 * loser of a race (whose change runs again on the winner's record and finds nothing to do).
 */
final class MeteredCallRecords implements CallRecords {
    private final CallRecords records;
    private final CallMetrics metrics;
    private final Clock clock;

    MeteredCallRecords(CallRecords records, CallMetrics metrics, Clock clock) {
        this.records = records;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public Optional<CallRecord> find(String taskSid) {
        return records.find(taskSid);
    }

    @Override
    public Optional<CallRecord> update(String taskSid, Supplier<CallRecord> create, Predicate<CallRecord> change) {
        // The change may run more than once (a lost race runs it again on a fresh read): the last run is the one written.
        RecordTransitions.Facts[] before = new RecordTransitions.Facts[1];
        boolean[] changed = new boolean[1];
        Optional<CallRecord> written = records.update(taskSid, create, record -> {
            before[0] = RecordTransitions.Facts.of(record);
            changed[0] = change.test(record);
            return changed[0];
        });
        if (changed[0] && written.isPresent()) {
            RecordTransitions.count(before[0], RecordTransitions.Facts.of(written.get()), metrics, clock.instant());
        }
        return written;
    }

    @Override
    public void alias(String taskSid, String callTaskSid) {
        records.alias(taskSid, callTaskSid);
    }

    @Override
    public long countDial(String workerSid, int perMinute) {
        return records.countDial(workerSid, perMinute);
    }
}
