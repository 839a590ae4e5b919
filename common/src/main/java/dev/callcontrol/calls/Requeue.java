package dev.callcontrol.calls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.UUID;

/**
 * Putting a customer whose transfer failed back in the queue they came from, at raised priority
 * ({@link CallControl#REQUEUE_PRIORITY}), still hearing hold music. Shared by cold transfers (the
 * target never answered, or their task was canceled) and warm transfers (both agents are gone).
 */
final class Requeue {
    private static final Logger LOG = LoggerFactory.getLogger(Requeue.class);

    private final Ports ports;

    Requeue(Ports ports) {
        this.ports = ports;
    }

    /**
     * After a failed cold transfer: claims the requeue in the record (so a repeated callback does
     * nothing), cancels the old task when asked, and creates the new one side by side.
     */
    boolean afterColdTransfer(CallRecord call, String transferTaskSid, String legCallSid, boolean cancelOld, String why) {
        CallRecords records = ports.records();
        Telephony telephony = ports.telephony();
        boolean[] claimed = new boolean[1];
        String[] previousStart = new String[1];
        String requeueId = UUID.randomUUID().toString();
        String claimedAt = ports.clock().instant().toString();
        CallRecord requeuing = records.update(call.taskSid, () -> call, record -> {
            claimed[0] = isPendingTransfer(record.transfer, transferTaskSid, legCallSid) && "routing".equals(record.transfer.state);
            if (!claimed[0]) {
                return false;
            }
            // The requeue's own id and start, recorded before its task is created: a requeue that stops half-way is found by them.
            record.transfer.state = "requeuing";
            previousStart[0] = record.transfer.startedAt;
            record.transfer.id = requeueId;
            record.transfer.startedAt = claimedAt;
            return true;
        }).orElse(call);
        if (!claimed[0]) {
            return false;
        }
        CallRecord.Transfer requeue = new CallRecord.Transfer();
        requeue.target = "queue";
        requeue.to = requeuing.transfer.fallbackQueue;
        requeue.fallbackQueue = requeuing.transfer.fallbackQueue;
        requeue.fromWorkerSid = requeuing.transfer.fromWorkerSid;
        String requeuedAt = ports.clock().instant().toString();
        requeue.id = requeueId;
        Map<String, Object> attributes = TransferTargets.transferAttributes(requeuing, requeue, requeue.fromWorkerSid, "requeue");
        var outcome = Concurrently.run(
                () -> transferTaskSid == null || !cancelOld || telephony.updateTask(transferTaskSid, Telephony.TaskStatus.CANCELED, why),
                () -> telephony.createTask(attributes, CallControl.REQUEUE_PRIORITY, 0));
        if (!outcome.first().ok()) {
            LOG.warn("The failed transfer's task could not be canceled", outcome.first().failure());
        }
        if (!outcome.second().ok()) {
            // Nothing else would route the customer: leave the transfer as it was so the agent UI shows it, and say so loudly.
            LOG.error("The customer could not be put back in a queue after a failed transfer", outcome.second().failure());
            records.update(call.taskSid, () -> call, record -> {
                if (record.transfer != null && "requeuing".equals(record.transfer.state) && requeueId.equals(record.transfer.id)) {
                    // Routing again since it began: the watchdog's next run finds it timed out and tries the requeue again.
                    record.transfer.state = "routing";
                    record.transfer.startedAt = previousStart[0];
                    return true;
                }
                return false;
            });
            return false;
        }
        String newTask = outcome.second().value();
        records.update(call.taskSid, () -> call, record -> {
            if (record.transfer == null || !"requeuing".equals(record.transfer.state)) {
                return false;
            }
            record.transfer.taskSid = newTask;
            record.transfer.callSid = null;
            record.transfer.state = "routing";
            record.transfer.target = requeue.target;
            record.transfer.to = requeue.to;
            record.transfer.requeues++;
            record.transfer.startedAt = requeuedAt;
            if (transferTaskSid != null) {
                record.tasks.put(transferTaskSid, CallRecord.TASK_CANCELED);
            }
            record.tasks.put(newTask, CallRecord.TASK_ROUTING);
            return true;
        });
        records.alias(newTask, call.taskSid);
        LOG.info("{}; the customer is back in queue {} with priority {}", why, requeue.to, CallControl.REQUEUE_PRIORITY);
        return true;
    }

    /**
     * After a failed warm transfer whose original agent has left too, decided while the record is
     * written: the record takes a cold-style transfer back to the call's queue ({@code starting}),
     * and the effects hold the customer and create the task once the write has landed.
     */
    void afterWarmTransfer(CallRecord record, Effects effects) {
        backToTheQueue(record, effects, record.warm.fromWorkerSid, "Both agents are gone");
    }

    /**
     * A customer held past {@code MAX_HOLD_SECONDS} whose agent is gone (the watchdog), decided while
     * the record is written: back to their queue at raised priority, as after a failed warm transfer.
     */
    void afterHoldLimit(CallRecord record, Effects effects) {
        backToTheQueue(record, effects, record.workerSid, "The customer was held too long with no agent");
    }

    void backToTheQueue(CallRecord record, Effects effects, String fromWorkerSid, String why) {
        CallRecords records = ports.records();
        Telephony telephony = ports.telephony();
        CallRecord.Transfer requeue = new CallRecord.Transfer();
        requeue.state = "starting";
        requeue.target = "queue";
        requeue.to = record.queue;
        requeue.fallbackQueue = record.queue;
        requeue.fromWorkerSid = fromWorkerSid;
        requeue.startedAt = ports.clock().instant().toString();
        requeue.id = UUID.randomUUID().toString();
        record.transfer = requeue;
        Map<String, Object> attributes = TransferTargets.transferAttributes(record, "queue", record.queue, fromWorkerSid, "requeue", requeue.id);
        String callTask = record.taskSid;
        if (record.customer() != null && record.customer().present) {
            // Music while they wait again; sent even if the record says held, since that flag can lag.
            effects.then.add(() -> FollowUps.quietly("holding the customer while they wait again",
                    () -> telephony.hold(record.conferenceSid, record.customerCallSid, true, ports.holdUrl())));
        }
        effects.then.add(() -> {
            try {
                String task = telephony.createTask(attributes, CallControl.REQUEUE_PRIORITY, 0);
                records.update(callTask, () -> record, r -> {
                    if (r.transfer == null || !"starting".equals(r.transfer.state) || !requeue.id.equals(r.transfer.id)) {
                        return false;
                    }
                    r.transfer.taskSid = task;
                    r.transfer.state = "routing";
                    r.transfer.requeues++;
                    r.tasks.put(task, CallRecord.TASK_ROUTING);
                    return true;
                });
                records.alias(task, callTask);
                LOG.info("{}; the customer is back in queue {}", why, record.queue);
            } catch (RuntimeException e) {
                // The requeue stays 'starting': the reconciler finds it abandoned and starts it again (UnfinishedTransfers).
                LOG.error("The customer could not be put back in a queue; the reconciler tries again", e);
            }
        });
    }

    /** The pending transfer is the one a leg's callback names: by its task, or for a number by the external leg. */
    static boolean isPendingTransfer(CallRecord.Transfer transfer, String transferTaskSid, String legCallSid) {
        if (transfer == null) {
            return false;
        }
        if (transferTaskSid != null) {
            return transferTaskSid.equals(transfer.taskSid);
        }
        return "number".equals(transfer.target) && legCallSid != null && legCallSid.equals(transfer.callSid);
    }
}
