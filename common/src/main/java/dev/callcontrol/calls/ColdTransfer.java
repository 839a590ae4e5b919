package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.metrics.CallMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Cold transfer to a worker, a queue or a number, in the blueprint's order: the customer is held
 * while the target's task is created (or the number dialled into the conference), then the agent's
 * leg is removed while their task moves to wrapping. The target's join takes the customer off hold
 * ({@link ConferencePolicy}); a target who never answers, or a task canceled while the customer
 * waits, puts the customer back in their queue ({@link Requeue}).
 */
final class ColdTransfer {
    private static final Logger LOG = LoggerFactory.getLogger(ColdTransfer.class);
    /** Call statuses of a transfer leg that mean the target never took the call. */
    private static final Set<String> UNANSWERED = Set.of("busy", "no-answer", "failed", "canceled");

    private final Ports ports;
    private final CallLookup lookup;
    private final TransferTargets targets;
    private final Requeue requeue;
    private final LegAcceptance acceptance;

    ColdTransfer(Ports ports, CallLookup lookup, TransferTargets targets, Requeue requeue, LegAcceptance acceptance) {
        this.ports = ports;
        this.lookup = lookup;
        this.targets = targets;
        this.requeue = requeue;
        this.acceptance = acceptance;
    }

    /**
     * The transfer, in two steps: (1) hold the customer while creating the target's task or dialling
     * the number, then (2) remove the agent while moving their task to wrapping. Nothing is
     * half-done: if step 1 fails, what it did is undone.
     */
    CallRecord transfer(String taskSid, Principal principal, TransferTarget target) {
        CallRecords records = ports.records();
        CallRecord call = lookup.transferableCall(taskSid, principal);
        CallRecord.Leg customer = call.customer();
        CallRecord.Leg agent = call.agent();
        CallRecord.Transfer transfer = targets.resolve(target, principal);
        transfer.state = "starting";
        transfer.fromWorkerSid = principal.workerSid();
        transfer.fromTaskSid = agent == null ? null : agent.taskSid;
        transfer.fallbackQueue = call.queue;
        transfer.startedAt = ports.clock().instant().toString();
        // Recorded with the claim, before Twilio is asked anything: what the first step reaches can be found by them.
        transfer.id = UUID.randomUUID().toString();
        transfer.label = "number".equals(transfer.target) ? TransferTargets.numberLabel() : null;
        boolean toNumber = "number".equals(transfer.target);
        claim(call, transfer);
        ports.metrics().transfer(CallMetrics.TransferKind.COLD, transfer.target, CallMetrics.Outcome.REQUESTED);

        // Step 1: hold the customer and create the target's task, side by side.
        boolean wasHeld = customer.hold;
        Map<String, Object> attributes = TransferTargets.transferAttributes(call, transfer, principal.workerSid(), "cold");
        var step1 = targets.holdAndReach(call, customer, transfer.target, transfer.to, attributes, transfer.label,
                TransferTargets.callerIdOf(target));
        if (!step1.first().ok() || !step1.second().ok()) {
            ports.metrics().transfer(CallMetrics.TransferKind.COLD, transfer.target, CallMetrics.Outcome.FAILED);
            undo(call, transfer, wasHeld, step1.second().ok() ? step1.second().value() : null);
            throw step1.first().ok() ? step1.second().failure() : step1.first().failure();
        }
        String reached = step1.second().value();
        String transferTask = toNumber ? null : reached;
        CallLog.put(toNumber ? "TransferCallSid" : "TransferTaskSid", reached);
        LOG.info("Cold transfer to a {} started: customer held, {}", transfer.target, toNumber ? "number dialled" : "task created");

        // The record says a transfer is pending before the agent leaves, so that their leaving does not end the call.
        CallRecord routing;
        try {
            routing = recordRouting(call, agent, reached, transferTask, toNumber);
        } catch (RuntimeException e) {
            // The write failed with the customer held and the target reached: undone now, and by the reconciler
            // (UnfinishedTransfers) if the undo's own write fails too. The agent is still on the call.
            ports.metrics().transfer(CallMetrics.TransferKind.COLD, transfer.target, CallMetrics.Outcome.FAILED);
            undo(call, transfer, wasHeld, reached);
            throw e;
        }
        if (transferTask != null) {
            records.alias(transferTask, call.taskSid);
        }

        // Step 2: the agent leaves and their task moves to wrapping, side by side.
        if (agent != null) {
            targets.releaseAgent(call.conferenceSid, agent.callSid, agent.taskSid);
        }
        String failed = toNumber ? TransferTargets.unansweredBefore(routing, reached) : null;
        if (failed != null) {
            // The number's participant-leave (participant_add_failed) landed before the record knew the leg.
            onTargetUnanswered(call.taskSid, null, reached, failed, null);
            return ports.records().find(call.taskSid).orElse(routing);
        }
        return routing;
    }

    /**
     * Undoes a transfer's first step: the target withdrawn (the number hung up, the task canceled),
     * the customer resumed unless they were held before, the claim cleared. Each request's failure is
     * logged: a transfer left {@code starting} is found and undone by the reconciler.
     */
    private void undo(CallRecord call, CallRecord.Transfer transfer, boolean wasHeld, String reached) {
        Telephony telephony = ports.telephony();
        boolean toNumber = "number".equals(transfer.target);
        if (reached != null && toNumber) {
            FollowUps.quietly("hanging up the external leg of an abandoned transfer", () -> telephony.endCall(reached));
        } else if (reached != null) {
            FollowUps.cancelTask(telephony, reached, "transfer abandoned before it started");
        }
        CallRecord.Leg customer = call.customer();
        if (!wasHeld) {
            // Even when the hold itself failed: Twilio may have carried it out before failing.
            FollowUps.quietly("resuming the customer after a failed transfer",
                    () -> telephony.hold(call.conferenceSid, customer.callSid, false, ports.holdUrl()));
        }
        FollowUps.quietly("clearing the failed transfer's claim", () -> ports.records().update(call.taskSid, () -> call, record -> {
            // Routing too: a write that failed may have landed all the same.
            if (record.transfer == null || !Set.of("starting", "routing").contains(record.transfer.state) || !transfer.id.equals(record.transfer.id)) {
                return false;
            }
            CallReports.coldEnded(record, "undone", null, ports.clock().instant());
            record.transfer = null;
            if (reached != null && !toNumber) {
                record.tasks.put(reached, CallRecord.TASK_CANCELED);
            }
            return true;
        }));
    }

    /** Step 1 done: the record learns the target's task or leg, the routing state, the customer's hold and the agent's wrap-up. */
    private CallRecord recordRouting(CallRecord call, CallRecord.Leg agent, String reached, String transferTask, boolean toNumber) {
        return ports.records().update(call.taskSid, () -> call, record -> {
            CallRecord.Transfer pending = record.transfer;
            if (pending != null && "starting".equals(pending.state)) {
                pending.taskSid = transferTask;
                pending.callSid = toNumber ? reached : null;
                pending.state = "routing";
            }
            if (transferTask != null) {
                record.tasks.putIfAbsent(transferTask, CallRecord.TASK_ROUTING);
            }
            if (agent != null && agent.taskSid != null && CallRecord.TASK_ASSIGNED.equals(record.tasks.get(agent.taskSid))) {
                record.tasks.put(agent.taskSid, CallRecord.TASK_WRAPPING);
            }
            CallRecord.Leg held = record.customer();
            if (held != null) {
                held.hold(true, ports.clock().instant());
            }
            return true;
        }).orElse(call);
    }

    /** Whether a transfer leg's final call status means the target never took the call. */
    static boolean unanswered(String callStatus) {
        return UNANSWERED.contains(callStatus);
    }

    /**
     * The target's leg ended without joining. A queue's task goes back to routing (its reservation
     * rejected, {@link LegAcceptance}); a named worker's is canceled and the customer goes back to
     * the queue they came from.
     */
    void onTargetUnanswered(String callTaskSid, String transferTaskSid, String legCallSid, String callStatus, String reservationSid) {
        CallRecord call = ports.records().find(callTaskSid).orElse(null);
        if (call == null || call.ended() || !Requeue.isPendingTransfer(call.transfer, transferTaskSid, legCallSid)) {
            LOG.info("Transfer leg ended {}, but that transfer is no longer pending", callStatus);
            return;
        }
        if ("queue".equals(call.transfer.target)) {
            acceptance.onUnanswered(transferTaskSid, reservationSid, "the queue's worker did not answer (" + callStatus + ")");
            LOG.info("Transfer leg ended {}; TaskRouter offers the task to the queue's next worker", callStatus);
            return;
        }
        requeue.afterColdTransfer(call, transferTaskSid, legCallSid, true, "transfer target did not answer (" + callStatus + ")");
    }

    /** The transfer task ended without the target joining: the customer, on hold waiting for it, goes back to their queue. */
    void onTaskCanceled(String callTaskSid, String transferTaskSid, String reason) {
        CallRecord call = ports.records().find(callTaskSid).orElse(null);
        if (call == null || call.ended() || !Requeue.isPendingTransfer(call.transfer, transferTaskSid, null)) {
            return;
        }
        requeue.afterColdTransfer(call, transferTaskSid, null, false, "transfer task canceled (" + reason + ")");
    }

    /** Whether the call's pending cold transfer is the one carried by this task. */
    static boolean waitsFor(CallRecord call, String transferTaskSid) {
        return call.transfer != null && transferTaskSid.equals(call.transfer.taskSid);
    }

    /** Marks the transfer as starting, unless another one got there first (409). */
    private void claim(CallRecord call, CallRecord.Transfer transfer) {
        boolean[] refused = new boolean[1];
        ports.records().update(call.taskSid, () -> call, record -> {
            refused[0] = TransferTargets.transferPending(record) || record.ended();
            if (refused[0]) {
                return false;
            }
            record.transfer = transfer;
            return true;
        });
        if (refused[0]) {
            throw CallControlException.conflict("transfer_in_progress", "a transfer of this call is already under way, or the call ended");
        }
    }
}
