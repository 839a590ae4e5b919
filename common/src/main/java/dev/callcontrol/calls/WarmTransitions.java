package dev.callcontrol.calls;

import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How a warm transfer moves: each transition of the {@link WarmTransfer} state machine is claimed
 * in the call's record with a conditional write, so two actors (an agent's command, a Twilio
 * callback) never both win. Shared by {@link WarmTransfers} and {@link WarmTransferEvents}.
 */
final class WarmTransitions {
    /** Who moved the transfer when Twilio's callbacks did. */
    static final String TWILIO = "twilio";

    private final CallRecords records;
    private final Clock clock;

    WarmTransitions(Ports ports) {
        this.records = ports.records();
        this.clock = ports.clock();
    }

    /**
     * Persists a transition of the call's warm transfer {@code transferId}, from one of {@code from},
     * with a change to the record made in the same conditional write. Empty when the transfer had
     * moved on (another actor won): nothing is written then.
     */
    Optional<CallRecord> transition(String callTaskSid, String transferId, Set<WarmTransfer.State> from, WarmTransfer.State to,
                                    WarmTransfer.Reason reason, String by, Consumer<CallRecord> change) {
        boolean[] moved = new boolean[1];
        Optional<CallRecord> written = records.update(callTaskSid, () -> new CallRecord(callTaskSid), record -> {
            WarmTransfer transfer = record.warm;
            moved[0] = transfer != null && transferId.equals(transfer.id) && from.contains(transfer.state)
                    && transfer.move(to, reason, by, clock.instant());
            if (moved[0]) {
                change.accept(record);
                CallReports.warmEnded(record);
            }
            return moved[0];
        });
        return moved[0] ? written : Optional.empty();
    }

    /** Moves a transfer already in hand (inside a record's write), stamped now. */
    void move(WarmTransfer transfer, WarmTransfer.State to, WarmTransfer.Reason reason, String by) {
        transfer.move(to, reason, by, clock.instant());
    }

    /** The target is now the call's agent. */
    static void handOver(CallRecord record, WarmTransfer transfer) {
        if (transfer.targetWorkerSid != null) {
            record.workerSid = transfer.targetWorkerSid;
            record.agentCallSid = transfer.targetCallSid;
        }
    }

    /** Claims a task's move to wrapping in the record; true when it was assigned (and so needs the request). */
    static boolean markWrapping(CallRecord record, String taskSid) {
        if (taskSid != null && CallRecord.TASK_ASSIGNED.equals(record.tasks.get(taskSid))) {
            record.tasks.put(taskSid, CallRecord.TASK_WRAPPING);
            return true;
        }
        return false;
    }
}
