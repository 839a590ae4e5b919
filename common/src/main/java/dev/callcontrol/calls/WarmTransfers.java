package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.logging.CallLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Warm transfer, in the blueprint's order: the customer is held while the target's task is created
 * (or the number dialled); the target joins the call's conference and the agents talk while the
 * customer hears music; then three-way, complete (the original agent leaves) or cancel. Every step
 * is a transition of the {@link WarmTransfer} state machine, claimed in the record before Twilio
 * is asked, so two actors never both win. Whatever happens to the parties (the target declines,
 * rings out or hangs up; the original agent or the customer hangs up), the customer ends up with
 * an agent or back in a queue: never on hold with nobody, never alone in a conference.
 */
public final class WarmTransfers {
    private static final Logger LOG = LoggerFactory.getLogger(WarmTransfers.class);
    private final CallRecords records;
    private final Telephony telephony;
    private final String holdUrl;
    private final CallLookup lookup;
    private final TransferTargets targets;
    private final WarmTransitions transitions;
    private final WarmTransferEvents events;
    private final java.time.Clock clock;

    WarmTransfers(Ports ports, CallLookup lookup, TransferTargets targets, WarmTransitions transitions, WarmTransferEvents events) {
        this.records = ports.records();
        this.telephony = ports.telephony();
        this.holdUrl = ports.holdUrl();
        this.lookup = lookup;
        this.targets = targets;
        this.transitions = transitions;
        this.events = events;
        this.clock = ports.clock();
    }

    // ------------------------------------------------------------------ what the agent asks for

    /**
     * Starts a warm transfer: one step, the customer's hold and the target's task (or the number's
     * participant) side by side. Agent legs never end the conference on exit in this product, so no
     * {@code EndConferenceOnExit} change is needed before holding (Twilio would ignore it after).
     */
    public WarmTransfer start(String taskSid, Principal principal, TransferTarget target) {
        CallRecord call = lookup.transferableCall(taskSid, principal);
        CallRecord.Leg customer = call.customer();
        CallRecord.Leg agent = call.agent();
        CallRecord.Transfer resolved = targets.resolve(target, principal);
        WarmTransfer transfer = new WarmTransfer();
        transfer.id = UUID.randomUUID().toString();
        transfer.target = resolved.target;
        transfer.to = resolved.to;
        transfer.fromWorkerSid = principal.workerSid();
        transfer.fromCallSid = agent.callSid;
        transfer.fromTaskSid = agent.taskSid;
        transfer.label = "number".equals(transfer.target) ? TransferTargets.numberLabel() : null;
        transitions.move(transfer, WarmTransfer.State.INITIATED, WarmTransfer.Reason.STARTED, principal.workerSid());
        boolean[] refused = new boolean[1];
        records.update(call.taskSid, () -> call, record -> {
            refused[0] = TransferTargets.transferPending(record) || record.ended();
            if (!refused[0]) {
                CallReports.warmEnded(record);
                record.warm = transfer;
            }
            return !refused[0];
        });
        if (refused[0]) {
            throw CallControlException.conflict("transfer_in_progress", "a transfer of this call is already under way, or the call ended");
        }
        CallLog.put("TransferId", transfer.id);

        boolean toNumber = "number".equals(transfer.target);
        boolean wasHeld = customer.hold;
        Map<String, Object> attributes = TransferTargets.transferAttributes(call, transfer.target, transfer.to, principal.workerSid(), "warm", transfer.id);
        var step = targets.holdAndReach(call, customer, transfer.target, transfer.to, attributes, transfer.label,
                TransferTargets.callerIdOf(target));
        if (!step.first().ok() || !step.second().ok()) {
            undo(call, transfer, customer, wasHeld, step.second().ok() ? step.second().value() : null);
            throw step.first().ok() ? step.second().failure() : step.first().failure();
        }
        String reached = step.second().value();
        CallRecord ringing;
        try {
            ringing = transitions.transition(call.taskSid, transfer.id, Set.of(WarmTransfer.State.INITIATED), WarmTransfer.State.RINGING,
                    WarmTransfer.Reason.TARGET_RINGING, principal.workerSid(), record -> {
                        if (toNumber) {
                            record.warm.callSid = reached;
                        } else {
                            record.warm.taskSid = reached;
                            record.tasks.putIfAbsent(reached, CallRecord.TASK_ROUTING);
                        }
                        CallRecord.Leg held = record.customer();
                        if (held != null) {
                            held.hold(true, clock.instant());
                        }
                    }).orElse(null);
        } catch (RuntimeException e) {
            // The write failed with the customer held and the target reached: undone now, and by the reconciler
            // (UnfinishedTransfers) if the undo's own write fails too. The agent is still on the call.
            undo(call, transfer, customer, wasHeld, reached);
            throw e;
        }
        if (!toNumber) {
            records.alias(reached, call.taskSid);
        }
        LOG.info("Warm transfer to a {} started: customer held, {}", transfer.target, toNumber ? "number dialled" : "task created");
        String failed = toNumber && ringing != null ? TransferTargets.unansweredBefore(ringing, reached) : null;
        if (failed != null && events.onTargetUnanswered(call.taskSid, null, reached, failed)) {
            // The number's participant-leave (participant_add_failed) landed before the record knew the leg.
            return records.find(call.taskSid).map(r -> r.warm).orElse(ringing.warm);
        }
        return ringing == null ? transfer : ringing.warm;
    }

    /**
     * Undoes a warm transfer's first step: the target withdrawn (the number hung up, the task
     * canceled), the customer resumed unless they were held before, the transfer FAILED. Each
     * request's failure is logged: a transfer left INITIATED is found and undone by the reconciler.
     */
    private void undo(CallRecord call, WarmTransfer transfer, CallRecord.Leg customer, boolean wasHeld, String reached) {
        if (reached != null) {
            if ("number".equals(transfer.target)) {
                FollowUps.quietly("hanging up the external leg of a failed transfer", () -> telephony.endCall(reached));
            } else {
                FollowUps.cancelTask(telephony, reached, "warm transfer failed to start");
            }
        }
        if (!wasHeld) {
            // Even when the hold itself failed: Twilio may have carried it out before failing.
            FollowUps.quietly("resuming the customer after a failed transfer", () -> telephony.hold(call.conferenceSid, customer.callSid, false, holdUrl));
        }
        // RINGING too: a write that failed may have landed all the same.
        FollowUps.quietly("failing the transfer that did not start", () -> transitions.transition(call.taskSid, transfer.id,
                Set.of(WarmTransfer.State.INITIATED, WarmTransfer.State.RINGING), WarmTransfer.State.FAILED, WarmTransfer.Reason.TWILIO_ERROR,
                WarmTransitions.TWILIO, record -> {
                    if (reached != null && CallRecord.TASK_ROUTING.equals(record.tasks.get(reached))) {
                        record.tasks.put(reached, CallRecord.TASK_CANCELED);
                    }
                }));
    }

    /** The active or last warm transfer of a call, with its history: for the agents on it and supervisors. */
    public WarmTransfer view(String taskSid, Principal principal) {
        CallRecord call = lookup.anyCall(taskSid);
        WarmTransfer transfer = call.warm;
        boolean onIt = principal.workerSid().equals(call.workerSid) || transfer != null
                && (principal.workerSid().equals(transfer.fromWorkerSid) || principal.workerSid().equals(transfer.targetWorkerSid));
        if (!principal.supervisor() && !onIt) {
            throw CallControlException.forbidden("only the agents on this call or a supervisor may see its transfers");
        }
        if (transfer == null) {
            throw new CallControlException(404, "no_transfer", "this call has had no warm transfer");
        }
        return transfer;
    }

    /** Takes the customer off hold with both agents: one request. */
    public WarmTransfer threeWay(String taskSid, Principal principal) {
        CallRecord call = activeFor(taskSid, principal, "bring the customer in");
        if (call.warm.state != WarmTransfer.State.CONSULTING) {
            throw illegal(call.warm, WarmTransfer.State.THREE_WAY, "three-way needs the target on the call and the customer on hold");
        }
        CallRecord.Leg customer = CallLookup.presentCustomer(call);
        telephony.hold(call.conferenceSid, customer.callSid, false, holdUrl);
        return transitions.transition(call.taskSid, call.warm.id, Set.of(WarmTransfer.State.CONSULTING), WarmTransfer.State.THREE_WAY,
                WarmTransfer.Reason.THREE_WAY, principal.workerSid(), record -> {
                    CallRecord.Leg leg = record.customer();
                    if (leg != null) {
                        leg.hold(false, clock.instant());
                    }
                })
                .map(r -> r.warm)
                .orElseThrow(() -> illegal(call.warm, WarmTransfer.State.THREE_WAY));
    }

    /**
     * Completes the transfer: the original agent leaves and the customer stays with the target, in
     * two steps: (1) the customer off hold, if held; (2) the agent's leg removed and their task
     * moved to wrapping, side by side. The transition is claimed first, so a racing cancel loses.
     */
    public WarmTransfer complete(String taskSid, Principal principal) {
        CallRecord call = activeFor(taskSid, principal, "complete the transfer");
        Set<WarmTransfer.State> from = Set.of(WarmTransfer.State.CONSULTING, WarmTransfer.State.THREE_WAY);
        if (!from.contains(call.warm.state)) {
            throw illegal(call.warm, WarmTransfer.State.COMPLETED);
        }
        // The customer is resumed before the transfer is claimed: if Twilio fails this, nothing has
        // changed and the agent can simply ask again. Resuming twice is harmless.
        CallRecord.Leg customer = call.customer();
        if (customer != null && customer.present) {
            telephony.hold(call.conferenceSid, customer.callSid, false, holdUrl);
        }
        WarmTransfer claimed = transitions.transition(call.taskSid, call.warm.id, from, WarmTransfer.State.COMPLETED, WarmTransfer.Reason.COMPLETED_BY_AGENT, principal.workerSid(), record -> {
                    WarmTransitions.handOver(record, record.warm);
                    WarmTransitions.markWrapping(record, record.warm.fromTaskSid);
                })
                .map(r -> r.warm)
                .orElseThrow(() -> illegal(call.warm, WarmTransfer.State.COMPLETED));
        targets.releaseAgent(call.conferenceSid, claimed.fromCallSid, claimed.fromTaskSid);
        LOG.info("Warm transfer completed: the customer stays with the target");
        return claimed;
    }

    /**
     * Cancels the transfer: the target's leg or task goes away and the customer is back with the
     * original agent, off hold. One step: both requests side by side.
     */
    public WarmTransfer cancel(String taskSid, Principal principal) {
        CallRecord call = activeFor(taskSid, principal, "cancel the transfer");
        WarmTransfer.State before = call.warm.state;
        WarmTransfer claimed = transitions.transition(call.taskSid, call.warm.id,
                Set.of(WarmTransfer.State.INITIATED, WarmTransfer.State.RINGING, WarmTransfer.State.CONSULTING, WarmTransfer.State.THREE_WAY),
                WarmTransfer.State.CANCELED, WarmTransfer.Reason.CANCELED_BY_AGENT, principal.workerSid(), record -> {
                    String task = record.warm.taskSid;
                    if (task != null && CallRecord.TASK_ROUTING.equals(record.tasks.get(task))) {
                        record.tasks.put(task, CallRecord.TASK_CANCELED);
                    }
                })
                .map(r -> r.warm)
                .orElseThrow(() -> illegal(call.warm, WarmTransfer.State.CANCELED));
        CallRecord.Leg customer = call.customer();
        boolean held = customer != null && customer.present;
        var step = Concurrently.run(
                () -> {
                    dismissTarget(call.conferenceSid, claimed, before);
                    return true;
                },
                () -> {
                    if (held) {
                        telephony.hold(call.conferenceSid, customer.callSid, false, holdUrl);
                    }
                    return true;
                });
        if (!step.first().ok()) {
            LOG.error("The transfer target could not be dismissed", step.first().failure());
        }
        if (!step.second().ok()) {
            throw step.second().failure();
        }
        LOG.info("Warm transfer canceled by the agent; the customer is back with them");
        return claimed;
    }

    // ------------------------------------------------------------------ what Twilio tells us

    /**
     * TaskRouter says the target's reservation was rejected or timed out while the transfer waited:
     * the transfer fails with that reason (see {@link WarmTransferEvents#onReservationEnded}).
     */
    public boolean onReservationEnded(String callTaskSid, String transferTaskSid, boolean rejected) {
        return events.onReservationEnded(callTaskSid, transferTaskSid, rejected);
    }

    // ------------------------------------------------------------------ helpers

    /** The target's leg leaves (or stops ringing), or their task is withdrawn. */
    private void dismissTarget(String conferenceSid, WarmTransfer transfer, WarmTransfer.State before) {
        if (transfer.targetCallSid != null) {
            telephony.removeParticipant(conferenceSid, transfer.targetCallSid);
        } else if (transfer.callSid != null) {
            telephony.endCall(transfer.callSid);
        } else if (transfer.taskSid != null && before != WarmTransfer.State.INITIATED) {
            telephony.updateTask(transfer.taskSid, Telephony.TaskStatus.CANCELED, "warm transfer canceled by the agent");
        }
    }

    /** The call with an active warm transfer that the calling agent started and is still on. */
    private CallRecord activeFor(String taskSid, Principal principal, String action) {
        CallRecord call = lookup.anyCall(taskSid);
        WarmTransfer transfer = call.warm;
        if (transfer == null || !transfer.active()) {
            throw CallControlException.conflict("no_transfer", "this call has no warm transfer under way");
        }
        if (!principal.workerSid().equals(transfer.fromWorkerSid)) {
            throw CallControlException.forbidden("only the agent who started the transfer may " + action);
        }
        CallRecord.Leg original = call.legs.get(transfer.fromCallSid);
        if (original == null || !original.present) {
            throw CallControlException.forbidden("you are no longer on this call, so you cannot " + action);
        }
        return call;
    }

    private static CallControlException illegal(WarmTransfer transfer, WarmTransfer.State next) {
        return illegal(transfer, next, null);
    }

    private static CallControlException illegal(WarmTransfer transfer, WarmTransfer.State next, String why) {
        return CallControlException.conflict("illegal_transition", "the transfer is " + transfer.state + " and cannot become " + next
                + (why == null ? "" : ": " + why));
    }
}
