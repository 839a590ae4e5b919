package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.logging.CallLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
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
    private static final String TWILIO = "twilio";

    private final CallControl calls;
    private final CallRecords records;
    private final Telephony telephony;
    private final CallControl.Settings settings;
    private final String holdUrl;
    private final Clock clock;

    WarmTransfers(CallControl calls, CallRecords records, Telephony telephony, CallControl.Settings settings, String holdUrl, Clock clock) {
        this.calls = calls;
        this.records = records;
        this.telephony = telephony;
        this.settings = settings;
        this.holdUrl = holdUrl;
        this.clock = clock;
    }

    // ------------------------------------------------------------------ what the agent asks for

    /**
     * Starts a warm transfer: one step, the customer's hold and the target's task (or the number's
     * participant) side by side. Agent legs never end the conference on exit in this product, so no
     * {@code EndConferenceOnExit} change is needed before holding (Twilio would ignore it after).
     */
    public WarmTransfer start(String taskSid, Principal principal, TransferTarget target) {
        CallRecord call = calls.connectedCall(taskSid, principal, "transfer");
        CallRecord.Leg customer = CallControl.presentCustomer(call);
        CallRecord.Leg agent = call.agent();
        if (CallControl.transferPending(call)) {
            throw CallControlException.conflict("transfer_in_progress", "a transfer of this call is already under way");
        }
        CallRecord.Transfer resolved = calls.resolve(target, principal);
        WarmTransfer transfer = new WarmTransfer();
        transfer.id = UUID.randomUUID().toString();
        transfer.target = resolved.target;
        transfer.to = resolved.to;
        transfer.fromWorkerSid = principal.workerSid();
        transfer.fromCallSid = agent.callSid;
        transfer.fromTaskSid = agent.taskSid;
        transfer.move(WarmTransfer.State.INITIATED, WarmTransfer.Reason.STARTED, principal.workerSid(), clock.instant());
        boolean[] refused = new boolean[1];
        records.update(call.taskSid, () -> call, record -> {
            refused[0] = CallControl.transferPending(record) || record.ended();
            if (!refused[0]) {
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
        Map<String, Object> attributes = CallControl.transferAttributes(call, transfer.target, transfer.to, principal.workerSid(), "warm", transfer.id);
        String legEvents = settings.publicBaseUrl() + CallControl.CALL_EVENTS_PATH + "?call=" + call.taskSid + "&leg=transfer";
        var step = Concurrently.run(
                () -> {
                    // Always sent: the record's hold flag may not yet reflect a resume that has just happened.
                    telephony.hold(call.conferenceSid, customer.callSid, true, holdUrl);
                    return true;
                },
                () -> toNumber
                        ? telephony.addParticipant(call.conferenceSid, settings.callerId(), transfer.to, Role.TRANSFER.label(), legEvents, settings.ringTimeoutSeconds())
                        : telephony.createTask(attributes, CallControl.TRANSFER_PRIORITY));
        if (!step.first().ok() || !step.second().ok()) {
            if (step.second().ok()) {
                if (toNumber) {
                    CallControl.quietly("hanging up the external leg of a failed transfer", () -> telephony.endCall(step.second().value()));
                } else {
                    calls.cancelQuietly(step.second().value(), "warm transfer failed to start");
                }
            } else if (step.first().ok() && !wasHeld) {
                CallControl.quietly("resuming the customer after a failed transfer", () -> telephony.hold(call.conferenceSid, customer.callSid, false, holdUrl));
            }
            transition(call.taskSid, transfer.id, Set.of(WarmTransfer.State.INITIATED), WarmTransfer.State.FAILED,
                    WarmTransfer.Reason.TWILIO_ERROR, TWILIO, record -> { });
            throw step.first().ok() ? step.second().failure() : step.first().failure();
        }
        String reached = step.second().value();
        CallRecord ringing = transition(call.taskSid, transfer.id, Set.of(WarmTransfer.State.INITIATED), WarmTransfer.State.RINGING,
                WarmTransfer.Reason.TARGET_RINGING, principal.workerSid(), record -> {
                    if (toNumber) {
                        record.warm.callSid = reached;
                    } else {
                        record.warm.taskSid = reached;
                        record.tasks.putIfAbsent(reached, CallRecord.TASK_ROUTING);
                    }
                    CallRecord.Leg held = record.customer();
                    if (held != null) {
                        held.hold = true;
                    }
                }).orElse(null);
        if (!toNumber) {
            records.alias(reached, call.taskSid);
        }
        LOG.info("Warm transfer to a {} started: customer held, {}", transfer.target, toNumber ? "number dialled" : "task created");
        return ringing == null ? transfer : ringing.warm;
    }

    /** The active or last warm transfer of a call, with its history: for the agents on it and supervisors. */
    public WarmTransfer view(String taskSid, Principal principal) {
        CallRecord call = records.find(taskSid).orElseThrow(() -> CallControlException.notFound("no call for task " + taskSid));
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
        CallRecord.Leg customer = CallControl.presentCustomer(call);
        telephony.hold(call.conferenceSid, customer.callSid, false, holdUrl);
        return transition(call.taskSid, call.warm.id, Set.of(WarmTransfer.State.CONSULTING), WarmTransfer.State.THREE_WAY,
                WarmTransfer.Reason.THREE_WAY, principal.workerSid(), record -> {
                    CallRecord.Leg leg = record.customer();
                    if (leg != null) {
                        leg.hold = false;
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
        WarmTransfer claimed = transition(call.taskSid, call.warm.id, from, WarmTransfer.State.COMPLETED, WarmTransfer.Reason.COMPLETED_BY_AGENT, principal.workerSid(), record -> {
                    handOver(record, record.warm);
                    markWrapping(record, record.warm.fromTaskSid);
                })
                .map(r -> r.warm)
                .orElseThrow(() -> illegal(call.warm, WarmTransfer.State.COMPLETED));
        var step = Concurrently.run(
                () -> telephony.removeParticipant(call.conferenceSid, claimed.fromCallSid),
                () -> claimed.fromTaskSid == null || telephony.updateTask(claimed.fromTaskSid, Telephony.TaskStatus.WRAPPING, null));
        if (!step.first().ok()) {
            LOG.error("The original agent's leg could not be removed; they must hang up themselves", step.first().failure());
        }
        if (!step.second().ok()) {
            LOG.error("The original agent's task could not be moved to wrapping", step.second().failure());
        }
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
        WarmTransfer claimed = transition(call.taskSid, call.warm.id,
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
     * A conference event while a warm transfer is active, applied to the record already: decides
     * what it means for the transfer and which requests follow. Answers false when the event is
     * none of the transfer's business, so that the call's own rules apply.
     */
    boolean decide(CallRecord record, ConferenceEvent event, CallRecord.Leg leg, CallControl.Effects effects) {
        WarmTransfer transfer = record.warm;
        if (transfer == null || !transfer.active()) {
            return false;
        }
        if (event.type().equals("conference-end")) {
            String consulted = transfer.state == WarmTransfer.State.CONSULTING ? transfer.taskSid : null;
            transfer.move(WarmTransfer.State.CANCELED, WarmTransfer.Reason.CUSTOMER_HUNG_UP, TWILIO, clock.instant());
            if (consulted != null && CallRecord.TASK_ASSIGNED.equals(record.tasks.get(consulted))) {
                // The target never spoke with the customer: there is no after-call work, so their task is completed, not wrapped.
                record.tasks.put(consulted, CallRecord.TASK_COMPLETED);
                effects.then.add(() -> CallControl.quietly("completing the consulted target's task", () -> telephony.updateTask(consulted,
                        Telephony.TaskStatus.COMPLETED, "the customer hung up during the consult")));
            }
            if (transfer.callSid != null && transfer.targetCallSid == null) {
                String ringing = transfer.callSid;
                effects.then.add(() -> CallControl.quietly("hanging up the number still ringing", () -> telephony.endCall(ringing)));
            }
            return false;
        }
        if (leg == null) {
            return false;
        }
        boolean joined = event.type().equals("participant-join") && leg.present;
        boolean left = event.type().equals("participant-leave") && !event.leftWithConference();
        boolean isTarget = (leg.role == Role.AGENT && leg.taskSid != null && leg.taskSid.equals(transfer.taskSid))
                || (leg.role == Role.TRANSFER && "number".equals(transfer.target) && leg.callSid.equals(transfer.callSid));
        boolean isOriginal = leg.callSid.equals(transfer.fromCallSid);
        CallRecord.Leg customer = record.customer();
        boolean customerPresent = customer != null && customer.present;

        if (joined && isTarget && transfer.state == WarmTransfer.State.RINGING) {
            transfer.targetCallSid = leg.callSid;
            transfer.targetWorkerSid = leg.workerSid;
            if (leg.taskSid != null) {
                record.tasks.put(leg.taskSid, CallRecord.TASK_ASSIGNED);
            }
            if (transfer.agentLeft) {
                transfer.move(WarmTransfer.State.COMPLETED, WarmTransfer.Reason.AGENT_HUNG_UP, TWILIO, clock.instant());
                handOver(record, transfer);
                effects.unholdCustomer = customerPresent;
            } else {
                transfer.move(WarmTransfer.State.CONSULTING, WarmTransfer.Reason.TARGET_JOINED, TWILIO, clock.instant());
            }
            return true;
        }
        if (left && isTarget && leg.callSid.equals(transfer.targetCallSid)) {
            transfer.move(WarmTransfer.State.FAILED, WarmTransfer.Reason.TARGET_HUNG_UP, TWILIO, clock.instant());
            if (leg.taskSid != null && CallRecord.TASK_ASSIGNED.equals(record.tasks.get(leg.taskSid))) {
                record.tasks.put(leg.taskSid, CallRecord.TASK_WRAPPING);
                effects.wrap.add(leg.taskSid);
            }
            backToTheAgentOrTheQueue(record, effects);
            return true;
        }
        if (left && isOriginal) {
            if (markWrapping(record, transfer.fromTaskSid)) {
                effects.wrap.add(transfer.fromTaskSid);
            }
            if (transfer.state == WarmTransfer.State.INITIATED || transfer.state == WarmTransfer.State.RINGING) {
                // The target has not joined: their join will complete the transfer; the customer waits on hold.
                transfer.agentLeft = true;
            } else {
                transfer.move(WarmTransfer.State.COMPLETED, WarmTransfer.Reason.AGENT_HUNG_UP, TWILIO, clock.instant());
                handOver(record, transfer);
                effects.unholdCustomer = customerPresent;
            }
            return true;
        }
        return false;
    }

    /**
     * The target's leg ended without joining. Answers false when no active warm transfer was
     * waiting for that leg (a cold transfer's, then).
     */
    boolean onTargetUnanswered(String callTaskSid, String transferTaskSid, String legCallSid, String callStatus) {
        CallRecord call = records.find(callTaskSid).orElse(null);
        if (call == null || call.warm == null || !waitingFor(call.warm, transferTaskSid, legCallSid)) {
            return false;
        }
        WarmTransfer.Reason reason = switch (callStatus) {
            case "busy" -> WarmTransfer.Reason.BUSY;
            case "no-answer" -> WarmTransfer.Reason.NO_ANSWER;
            case "canceled" -> WarmTransfer.Reason.TIMEOUT;
            default -> WarmTransfer.Reason.TWILIO_ERROR;
        };
        fail(call, reason, true);
        return true;
    }

    /** The target's task was canceled (its TTL, an administrator) while the transfer waited for it. */
    boolean onTaskCanceled(String callTaskSid, String transferTaskSid) {
        CallRecord call = records.find(callTaskSid).orElse(null);
        if (call == null || call.warm == null || !waitingFor(call.warm, transferTaskSid, null)) {
            return false;
        }
        fail(call, WarmTransfer.Reason.TIMEOUT, false);
        return true;
    }

    /**
     * TaskRouter says the target's reservation was rejected or timed out while the transfer waited:
     * the transfer fails with that reason (the task is withdrawn, so it is not offered elsewhere).
     */
    public boolean onReservationEnded(String callTaskSid, String transferTaskSid, boolean rejected) {
        CallRecord call = records.find(callTaskSid).orElse(null);
        if (call == null || call.warm == null || !waitingFor(call.warm, transferTaskSid, null)) {
            return false;
        }
        fail(call, rejected ? WarmTransfer.Reason.DECLINED : WarmTransfer.Reason.TIMEOUT, true);
        return true;
    }

    /** A warm transfer's target leg that answers should join only while the transfer still waits for it. */
    boolean wants(CallRecord call, String transferTaskSid) {
        return call.warm != null && call.warm.state == WarmTransfer.State.RINGING && transferTaskSid.equals(call.warm.taskSid);
    }

    // ------------------------------------------------------------------ helpers

    private static boolean waitingFor(WarmTransfer transfer, String transferTaskSid, String legCallSid) {
        if (transfer.state != WarmTransfer.State.RINGING) {
            return false;
        }
        return transferTaskSid != null ? transferTaskSid.equals(transfer.taskSid) : legCallSid != null && legCallSid.equals(transfer.callSid);
    }

    /** FAILED while ringing: the target's task is canceled, and the customer goes back to the agent (or a queue). */
    private void fail(CallRecord call, WarmTransfer.Reason reason, boolean cancelTask) {
        CallControl.Effects[] effects = new CallControl.Effects[1];
        Optional<CallRecord> failed = transition(call.taskSid, call.warm.id, Set.of(WarmTransfer.State.RINGING), WarmTransfer.State.FAILED,
                reason, TWILIO, record -> {
                    effects[0] = calls.new Effects();
                    String task = record.warm.taskSid;
                    if (task != null && CallRecord.TASK_ROUTING.equals(record.tasks.get(task))) {
                        record.tasks.put(task, CallRecord.TASK_CANCELED);
                        if (cancelTask) {
                            effects[0].cancel.add(task);
                        }
                    }
                    CallRecord.Leg customer = record.customer();
                    backToTheAgentOrTheQueue(record, effects[0]);
                });
        failed.ifPresent(record -> {
            LOG.info("Warm transfer failed ({}); the customer is back with the agent, or in the queue", reason.label());
            effects[0].run(record);
        });
    }

    /**
     * After a failed transfer: the customer goes back to the original agent (off hold), or, when
     * that agent has left too, back to their queue with raised priority, still hearing music.
     */
    private void backToTheAgentOrTheQueue(CallRecord record, CallControl.Effects effects) {
        CallRecord.Leg original = record.legs.get(record.warm.fromCallSid);
        if (original != null && original.present) {
            // Always sent: the record's hold flag can lag behind the hold the transfer made.
            CallRecord.Leg customer = record.customer();
            effects.unholdCustomer = customer != null && customer.present;
            return;
        }
        CallRecord.Transfer requeue = new CallRecord.Transfer();
        requeue.state = "starting";
        requeue.target = "queue";
        requeue.to = record.queue;
        requeue.fallbackQueue = record.queue;
        requeue.fromWorkerSid = record.warm.fromWorkerSid;
        record.transfer = requeue;
        Map<String, Object> attributes = CallControl.transferAttributes(record, "queue", record.queue, record.warm.fromWorkerSid, "requeue", record.warm.id);
        String callTask = record.taskSid;
        if (record.customer() != null && record.customer().present) {
            // Music while they wait again; sent even if the record says held, since that flag can lag.
            effects.then.add(() -> CallControl.quietly("holding the customer while they wait again",
                    () -> telephony.hold(record.conferenceSid, record.customerCallSid, true, holdUrl)));
        }
        effects.then.add(() -> {
            try {
                String task = telephony.createTask(attributes, CallControl.REQUEUE_PRIORITY);
                records.update(callTask, () -> record, r -> {
                    if (r.transfer == null || !"starting".equals(r.transfer.state)) {
                        return false;
                    }
                    r.transfer.taskSid = task;
                    r.transfer.state = "routing";
                    r.transfer.requeues++;
                    r.tasks.put(task, CallRecord.TASK_ROUTING);
                    return true;
                });
                records.alias(task, callTask);
                LOG.info("Both agents are gone; the customer is back in queue {}", record.queue);
            } catch (RuntimeException e) {
                LOG.error("The customer could not be put back in a queue", e);
            }
        });
    }

    /** The target is now the call's agent. */
    private static void handOver(CallRecord record, WarmTransfer transfer) {
        if (transfer.targetWorkerSid != null) {
            record.workerSid = transfer.targetWorkerSid;
            record.agentCallSid = transfer.targetCallSid;
        }
    }

    /** Claims a task's move to wrapping in the record; true when it was assigned (and so needs the request). */
    private static boolean markWrapping(CallRecord record, String taskSid) {
        if (taskSid != null && CallRecord.TASK_ASSIGNED.equals(record.tasks.get(taskSid))) {
            record.tasks.put(taskSid, CallRecord.TASK_WRAPPING);
            return true;
        }
        return false;
    }

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
        CallRecord call = records.find(taskSid).orElseThrow(() -> CallControlException.notFound("no call for task " + taskSid));
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

    /**
     * Persists a transition of the call's warm transfer {@code transferId}, from one of {@code from},
     * with a change to the record made in the same conditional write. Empty when the transfer had
     * moved on (another actor won): nothing is written then.
     */
    private Optional<CallRecord> transition(String callTaskSid, String transferId, Set<WarmTransfer.State> from, WarmTransfer.State to,
                                            WarmTransfer.Reason reason, String by, java.util.function.Consumer<CallRecord> change) {
        boolean[] moved = new boolean[1];
        Optional<CallRecord> written = records.update(callTaskSid, () -> new CallRecord(callTaskSid), record -> {
            WarmTransfer transfer = record.warm;
            moved[0] = transfer != null && transferId.equals(transfer.id) && from.contains(transfer.state)
                    && transfer.move(to, reason, by, clock.instant());
            if (moved[0]) {
                change.accept(record);
            }
            return moved[0];
        });
        return moved[0] ? written : Optional.empty();
    }
}
