package dev.callcontrol.calls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.Set;

import static dev.callcontrol.calls.WarmTransitions.TWILIO;

/**
 * What Twilio's callbacks mean for a warm transfer under way: the target joining starts the
 * consult; the target declining, ringing out or hanging up sends the customer back to the
 * original agent; the original agent hanging up hands the customer to the target; both gone puts
 * the customer back in their queue; the customer hanging up (or the call being ended) cancels the
 * transfer. An agent's leg that leaves because the conference ended ({@code ReasonParticipantLeft}
 * {@code moderator_ended_conference} or {@code conference_ended_via_api}) is not that agent hanging up.
 */
final class WarmTransferEvents {
    private static final Logger LOG = LoggerFactory.getLogger(WarmTransferEvents.class);

    private final Ports ports;
    private final WarmTransitions transitions;
    private final Requeue requeue;

    WarmTransferEvents(Ports ports, WarmTransitions transitions, Requeue requeue) {
        this.ports = ports;
        this.transitions = transitions;
        this.requeue = requeue;
    }

    /**
     * A conference event while a warm transfer is active, applied to the record already: decides
     * what it means for the transfer and which requests follow. Answers false when the event is
     * none of the transfer's business, so that the call's own rules apply.
     */
    boolean decide(CallRecord record, ConferenceEvent event, CallRecord.Leg leg, Effects effects) {
        Telephony telephony = ports.telephony();
        WarmTransfer transfer = record.warm;
        if (transfer == null || !transfer.active()) {
            return false;
        }
        if (event.type().equals("conference-end")) {
            String consulted = transfer.state == WarmTransfer.State.CONSULTING ? transfer.taskSid : null;
            // Ended with the API: an agent's or supervisor's hang-up. Otherwise the customer's leg, the one that ends the conference, left.
            transitions.move(transfer, WarmTransfer.State.CANCELED,
                    event.endedViaApi() ? WarmTransfer.Reason.CALL_ENDED : WarmTransfer.Reason.CUSTOMER_HUNG_UP, TWILIO);
            if (consulted != null && CallRecord.TASK_ASSIGNED.equals(record.tasks.get(consulted))) {
                // The target never spoke with the customer: there is no after-call work, so their task is completed, not wrapped.
                record.tasks.put(consulted, CallRecord.TASK_COMPLETED);
                effects.then.add(() -> FollowUps.quietly("completing the consulted target's task", () -> telephony.updateTask(consulted,
                        Telephony.TaskStatus.COMPLETED, "the customer hung up during the consult")));
            }
            if (transfer.callSid != null && transfer.targetCallSid == null) {
                String ringing = transfer.callSid;
                effects.then.add(() -> FollowUps.quietly("hanging up the number still ringing", () -> telephony.endCall(ringing)));
            }
            return false;
        }
        if (leg == null) {
            return false;
        }
        boolean joined = event.type().equals("participant-join") && leg.present;
        // A leg the conference's end took with it (the customer hung up, or the call was ended) did not leave the
        // transfer: the conference-end decides. Neither did a leg that never joined: its call's status decides.
        boolean left = event.type().equals("participant-leave") && !ConferencePolicy.endingWithTheCall(record, event) && !event.neverJoined();
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
                transitions.move(transfer, WarmTransfer.State.COMPLETED, WarmTransfer.Reason.AGENT_HUNG_UP, TWILIO);
                WarmTransitions.handOver(record, transfer);
                effects.unholdCustomer = customerPresent;
            } else {
                transitions.move(transfer, WarmTransfer.State.CONSULTING, WarmTransfer.Reason.TARGET_JOINED, TWILIO);
            }
            return true;
        }
        if (left && isTarget && leg.callSid.equals(transfer.targetCallSid)) {
            transitions.move(transfer, WarmTransfer.State.FAILED, WarmTransfer.Reason.TARGET_HUNG_UP, TWILIO);
            if (leg.taskSid != null && CallRecord.TASK_ASSIGNED.equals(record.tasks.get(leg.taskSid))) {
                record.tasks.put(leg.taskSid, CallRecord.TASK_WRAPPING);
                effects.wrap.add(leg.taskSid);
            }
            backToTheAgentOrTheQueue(record, effects);
            return true;
        }
        if (left && isOriginal) {
            if (WarmTransitions.markWrapping(record, transfer.fromTaskSid)) {
                effects.wrap.add(transfer.fromTaskSid);
            }
            if (transfer.state == WarmTransfer.State.INITIATED || transfer.state == WarmTransfer.State.RINGING) {
                // The target has not joined: their join will complete the transfer; the customer waits on hold.
                transfer.agentLeft = true;
            } else {
                transitions.move(transfer, WarmTransfer.State.COMPLETED, WarmTransfer.Reason.AGENT_HUNG_UP, TWILIO);
                WarmTransitions.handOver(record, transfer);
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
        CallRecord call = ports.records().find(callTaskSid).orElse(null);
        if (call == null || call.warm == null || !waitingFor(call.warm, transferTaskSid, legCallSid)) {
            return false;
        }
        WarmTransfer.Reason reason = switch (callStatus) {
            case "busy" -> WarmTransfer.Reason.BUSY;
            case "no-answer" -> WarmTransfer.Reason.NO_ANSWER;
            case "canceled" -> WarmTransfer.Reason.TIMEOUT;
            default -> WarmTransfer.Reason.TWILIO_ERROR;
        };
        fail(call, reason, true, TWILIO);
        return true;
    }

    /**
     * The target has not joined within the transfer timeout (the watchdog): the transfer fails as a
     * target who never answers fails it, the target's task canceled and a number still ringing hung
     * up. Answers whether this call's transfer moved (false when it had moved on already).
     */
    boolean onTimeout(CallRecord call, String by) {
        if (call.warm == null || call.warm.state != WarmTransfer.State.RINGING) {
            return false;
        }
        return fail(call, WarmTransfer.Reason.TIMEOUT, true, by);
    }

    /** The target's task was canceled (its TTL, an administrator) while the transfer waited for it. */
    boolean onTaskCanceled(String callTaskSid, String transferTaskSid) {
        CallRecord call = ports.records().find(callTaskSid).orElse(null);
        if (call == null || call.warm == null || !waitingFor(call.warm, transferTaskSid, null)) {
            return false;
        }
        fail(call, WarmTransfer.Reason.TIMEOUT, false, TWILIO);
        return true;
    }

    /**
     * TaskRouter says the target's reservation was rejected or timed out while the transfer waited:
     * the transfer fails with that reason (the task is withdrawn, so it is not offered elsewhere).
     */
    boolean onReservationEnded(String callTaskSid, String transferTaskSid, boolean rejected) {
        CallRecord call = ports.records().find(callTaskSid).orElse(null);
        if (call == null || call.warm == null || !waitingFor(call.warm, transferTaskSid, null)) {
            return false;
        }
        fail(call, rejected ? WarmTransfer.Reason.DECLINED : WarmTransfer.Reason.TIMEOUT, true, TWILIO);
        return true;
    }

    /** A warm transfer's target leg that answers should join only while the transfer still waits for it. */
    static boolean wants(CallRecord call, String transferTaskSid) {
        return call.warm != null && call.warm.state == WarmTransfer.State.RINGING && transferTaskSid.equals(call.warm.taskSid);
    }

    private static boolean waitingFor(WarmTransfer transfer, String transferTaskSid, String legCallSid) {
        if (transfer.state != WarmTransfer.State.RINGING) {
            return false;
        }
        return transferTaskSid != null ? transferTaskSid.equals(transfer.taskSid) : legCallSid != null && legCallSid.equals(transfer.callSid);
    }

    /** FAILED while ringing: the target's task is canceled, and the customer goes back to the agent (or a queue). */
    private boolean fail(CallRecord call, WarmTransfer.Reason reason, boolean cancelTask, String by) {
        Effects[] effects = new Effects[1];
        Optional<CallRecord> failed = transitions.transition(call.taskSid, call.warm.id, Set.of(WarmTransfer.State.RINGING), WarmTransfer.State.FAILED,
                reason, by, record -> {
                    effects[0] = new Effects(ports);
                    String task = record.warm.taskSid;
                    if (task != null && CallRecord.TASK_ROUTING.equals(record.tasks.get(task))) {
                        record.tasks.put(task, CallRecord.TASK_CANCELED);
                        if (cancelTask) {
                            effects[0].cancel.add(task);
                        }
                    }
                    if (!TWILIO.equals(by) && record.warm.callSid != null && record.warm.targetCallSid == null) {
                        // Nothing Twilio reported ended the number's leg: it may still be ringing.
                        String ringing = record.warm.callSid;
                        effects[0].then.add(() -> FollowUps.quietly("hanging up the number still ringing", () -> ports.telephony().endCall(ringing)));
                    }
                    backToTheAgentOrTheQueue(record, effects[0]);
                });
        failed.ifPresent(record -> {
            LOG.info("Warm transfer failed ({}); the customer is back with the agent, or in the queue", reason.label());
            effects[0].run(record);
        });
        return failed.isPresent();
    }

    /**
     * After a failed transfer: the customer goes back to the original agent (off hold), or, when
     * that agent has left too, back to their queue with raised priority, still hearing music.
     */
    private void backToTheAgentOrTheQueue(CallRecord record, Effects effects) {
        CallRecord.Leg original = record.legs.get(record.warm.fromCallSid);
        if (original != null && original.present) {
            // Always sent: the record's hold flag can lag behind the hold the transfer made.
            CallRecord.Leg customer = record.customer();
            effects.unholdCustomer = customer != null && customer.present;
            return;
        }
        requeue.afterWarmTransfer(record, effects);
    }
}
