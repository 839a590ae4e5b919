package dev.callcontrol.calls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Transfers an invocation began and never finished: claimed in the record ({@code starting} or
 * {@code requeuing}, a warm transfer {@code INITIATED}), then stopped between two steps (a DynamoDB
 * write that failed after the customer was held, a Lambda that timed out). While the record says a
 * transfer is under way, repeats of the command are refused and the last-agent rule waits, so the
 * customer would wait on hold music for good. The claim recorded the transfer's id and, for a
 * number, its participant's label before anything was asked of Twilio, which is how the reconciler
 * finds what the first step reached once the transfer is older than any invocation could be
 * ({@link #ABANDONED_AFTER}).
 *
 * <p>It undoes: what the first step reached is withdrawn (the task canceled while nobody has taken
 * it, the number's participant removed by its label), then the customer goes back to the agent if
 * one is on the call (off hold), or else back to their queue at raised priority. Each repair is the
 * product's ordinary step, claimed with a conditional write on the transfer's id, and kept in the
 * call's audit trail.
 */
final class UnfinishedTransfers {
    private static final Logger LOG = LoggerFactory.getLogger(UnfinishedTransfers.class);
    /** Longer than any function's timeout (template.yaml: 15 s for the agent API and webhooks, 60 s for the reconciler). */
    static final Duration ABANDONED_AFTER = Duration.ofSeconds(90);
    static final String BY = "reconciler";
    /** Task states in which nobody has taken the task yet: withdrawing it costs nobody a call. */
    private static final Set<String> UNTAKEN = Set.of("pending", "reserved");

    private final Ports ports;
    private final Requeue requeue;
    private final WarmTransitions transitions;

    UnfinishedTransfers(Ports ports, Requeue requeue, WarmTransitions transitions) {
        this.ports = ports;
        this.requeue = requeue;
        this.transitions = transitions;
    }

    /** Repairs the call's transfer if it was abandoned half-way; answers the audit trail's event, or null. */
    String check(CallRecord record) {
        if (record == null || record.ended() || record.aliasOf != null || record.conferenceSid == null) {
            return null;
        }
        Instant now = ports.clock().instant();
        CallRecord.Transfer cold = record.transfer;
        if (cold != null && ("starting".equals(cold.state) || "requeuing".equals(cold.state)) && abandoned(cold.startedAt, now)) {
            return undoCold(record, now);
        }
        WarmTransfer warm = record.warm;
        if (warm != null && warm.state == WarmTransfer.State.INITIATED && !warm.history.isEmpty() && abandoned(warm.history.get(0).at, now)) {
            return undoWarm(record, now);
        }
        return null;
    }

    private String undoCold(CallRecord record, Instant now) {
        CallRecord.Transfer transfer = record.transfer;
        Set<String> withdrawn = withdraw(record.conferenceSid, transfer.id, transfer.label);
        boolean withAgent = resumeIfAnAgentIsThere(record);
        String event = withAgent ? "transfer_undone" : "transfer_requeued";
        String detail = "the " + transfer.target + " transfer " + transfer.state + " since " + transfer.startedAt + " never finished; "
                + (withAgent ? "its target withdrawn, the customer back with the agent" : "its target withdrawn, the customer back in queue " + record.queue);
        Effects effects = new Effects(ports);
        boolean[] claimed = new boolean[1];
        var written = ports.records().update(record.taskSid, () -> record, r -> {
            claimed[0] = r.transfer != null && Set.of("starting", "requeuing").contains(r.transfer.state) && same(r.transfer.id, transfer.id)
                    && same(r.transfer.startedAt, transfer.startedAt);
            if (!claimed[0]) {
                return false;
            }
            CallReports.coldEnded(r, "undone", null, now);
            r.transfer = null;
            withdrawn.forEach(task -> r.tasks.put(task, CallRecord.TASK_CANCELED));
            if (!withAgent && r.customer() != null && r.customer().present) {
                requeue.backToTheQueue(r, effects, transfer.fromWorkerSid, "An unfinished transfer was undone with no agent on the call");
            }
            r.audit(now, BY, event, detail);
            return true;
        });
        if (!claimed[0] || written.isEmpty()) {
            return null;
        }
        effects.run(written.get());
        LOG.warn("Reconciler: {}", detail);
        return event;
    }

    private String undoWarm(CallRecord record, Instant now) {
        WarmTransfer warm = record.warm;
        Set<String> withdrawn = withdraw(record.conferenceSid, warm.id, warm.label);
        CallRecord.Leg original = record.legs.get(warm.fromCallSid);
        boolean withAgent = original != null && original.present && resume(record);
        String detail = "the warm transfer to a " + warm.target + " initiated at " + warm.history.get(0).at + " never finished; its target withdrawn, "
                + (withAgent ? "the customer back with the agent" : "the customer back with an agent or in the queue");
        Effects effects = new Effects(ports);
        var written = transitions.transition(record.taskSid, warm.id, Set.of(WarmTransfer.State.INITIATED), WarmTransfer.State.FAILED,
                WarmTransfer.Reason.TWILIO_ERROR, BY, r -> {
                    withdrawn.forEach(task -> r.tasks.put(task, CallRecord.TASK_CANCELED));
                    CallRecord.Leg agent = r.legs.get(r.warm.fromCallSid);
                    if ((agent == null || !agent.present) && r.customer() != null && r.customer().present) {
                        requeue.afterWarmTransfer(r, effects);
                    }
                    r.audit(now, BY, "transfer_undone", detail);
                });
        if (written.isEmpty()) {
            return null;
        }
        effects.run(written.get());
        LOG.warn("Reconciler: {}", detail);
        return "transfer_undone";
    }

    /**
     * Withdraws what a transfer's first step may have reached: the tasks carrying its id that nobody
     * has taken (canceled), and a number's participant (removed by its label). Answers the tasks
     * canceled. A transfer claimed before ids were recorded has nothing to look for.
     */
    private Set<String> withdraw(String conferenceSid, String transferId, String label) {
        Telephony telephony = ports.telephony();
        if (label != null) {
            FollowUps.quietly("removing the unfinished transfer's number", () -> telephony.removeParticipant(conferenceSid, label));
        }
        if (transferId == null) {
            return Set.of();
        }
        Map<String, String> tasks = telephony.transferTasks(transferId);
        java.util.LinkedHashSet<String> canceled = new java.util.LinkedHashSet<>();
        tasks.forEach((task, status) -> {
            if (UNTAKEN.contains(status)) {
                FollowUps.cancelTask(telephony, task, "the transfer that created it never finished");
                canceled.add(task);
            }
        });
        return canceled;
    }

    /** Takes the customer off hold if an agent is on the call; answers whether one is. A failed resume is thrown: the next run tries again. */
    private boolean resumeIfAnAgentIsThere(CallRecord record) {
        return !record.present(Role.AGENT).isEmpty() && resume(record);
    }

    private boolean resume(CallRecord record) {
        CallRecord.Leg customer = record.customer();
        if (customer != null && customer.present) {
            ports.telephony().hold(record.conferenceSid, customer.callSid, false, ports.holdUrl());
        }
        return true;
    }

    private static boolean abandoned(String since, Instant now) {
        return since != null && Duration.between(Instant.parse(since), now).compareTo(ABANDONED_AFTER) >= 0;
    }

    private static boolean same(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }
}
