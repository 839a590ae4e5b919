package dev.callcontrol.calls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * The limits no call outlives, checked by the reconciler on each live call it visits: a transfer
 * whose target has not joined after {@code TRANSFER_TIMEOUT_SECONDS} ends as a no-answer does (cold:
 * the customer back in their queue; warm: back with the original agent), whatever the target (a
 * worker, a queue, a number) and whether or not Twilio ever reported anything; and a customer held
 * for {@code MAX_HOLD_SECONDS} is taken off hold back to the agent, who hears a short announcement
 * first, or put back in their queue at raised priority when no agent is left. A customer waiting in
 * a queue after a requeue is waiting as any caller does, and is left to TaskRouter.
 *
 * <p>Each action is one the product takes anyway (a requeue, a warm transfer's failure, a resume),
 * claimed with the same conditional write, so two reconcilers at once take it once; each is written
 * in the call's audit trail ({@link CallRecord#audit}) and logged.
 */
final class Watchdog {
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    /** Who the audit trail says acted. */
    static final String BY = "watchdog";
    static final String HOLD_LIMIT_RESUMED = "hold_limit_resumed";

    /** The limits, from {@code MAX_HOLD_SECONDS} and {@code TRANSFER_TIMEOUT_SECONDS}. */
    record Limits(Duration maxHold, Duration transferTimeout) {
    }

    private final Ports ports;
    private final Requeue requeue;
    private final WarmTransferEvents warmEvents;
    private final WarmTransitions transitions;

    Watchdog(Ports ports, Requeue requeue, WarmTransferEvents warmEvents, WarmTransitions transitions) {
        this.ports = ports;
        this.requeue = requeue;
        this.warmEvents = warmEvents;
        this.transitions = transitions;
    }

    /** Checks one call against the limits and acts on the first one it passed; answers what it did, or null. */
    String check(CallRecord record, Limits limits) {
        if (record == null || record.ended() || record.aliasOf != null || record.conferenceSid == null) {
            return null;
        }
        Instant now = ports.clock().instant();
        CallRecord.Leg customer = record.customer();
        boolean heldTooLong = customer != null && customer.present && customer.heldFor(now).compareTo(limits.maxHold()) >= 0;
        CallRecord.Transfer cold = record.transfer;
        if (cold != null) {
            if (cold.startedAt == null) {
                // Written before transfers were stamped: the timeout counts from the first time the watchdog sees it.
                stampStart(record.taskSid, record, now);
                return null;
            }
            if ("routing".equals(cold.state) && cold.requeues == 0
                    && (heldTooLong || waited(cold.startedAt, now).compareTo(limits.transferTimeout()) >= 0)) {
                return coldTransferTimedOut(record, limits);
            }
            // Starting or requeuing (an operation under way), or back in the queue: not the watchdog's to end.
            return null;
        }
        WarmTransfer warm = record.warm;
        if (warm != null && warm.state == WarmTransfer.State.RINGING
                && (heldTooLong || waited(ringingSince(warm), now).compareTo(limits.transferTimeout()) >= 0)) {
            return warmTransferTimedOut(record, limits);
        }
        if (!heldTooLong || (warm != null && warm.active() && warm.state != WarmTransfer.State.CONSULTING
                && warm.state != WarmTransfer.State.THREE_WAY)) {
            return null;
        }
        return holdLimit(record, customer, limits, now);
    }

    private String coldTransferTimedOut(CallRecord record, Limits limits) {
        CallRecord.Transfer transfer = record.transfer;
        boolean toNumber = "number".equals(transfer.target);
        String why = "the " + transfer.target + " the customer was transferred to did not answer within "
                + limits.transferTimeout().toSeconds() + " s";
        if (toNumber && transfer.callSid != null) {
            // The number may still be ringing (its status callback lost, or its ring timeout longer than ours).
            FollowUps.quietly("hanging up the transfer's number", () -> ports.telephony().endCall(transfer.callSid));
        }
        boolean requeued = requeue.afterColdTransfer(record, toNumber ? null : transfer.taskSid, toNumber ? transfer.callSid : null, true, why);
        if (!requeued) {
            return null;
        }
        return audited(record, "transfer_timeout", why + "; customer back in queue " + transfer.fallbackQueue);
    }

    private String warmTransferTimedOut(CallRecord record, Limits limits) {
        if (!warmEvents.onTimeout(record, BY)) {
            return null;
        }
        return audited(record, "transfer_timeout", "the " + record.warm.target + " of the warm transfer did not join within "
                + limits.transferTimeout().toSeconds() + " s; customer back with the agent (or in the queue)");
    }

    /** The customer held past the limit with no transfer waiting for its target. */
    private String holdLimit(CallRecord record, CallRecord.Leg customer, Limits limits, Instant now) {
        long held = customer.heldFor(now).toSeconds();
        WarmTransfer warm = record.warm;
        boolean consulting = warm != null && warm.state == WarmTransfer.State.CONSULTING;
        CallRecord.Leg agent = consulting ? record.legs.get(warm.fromCallSid) : record.agent();
        if (agent == null || !agent.present) {
            agent = record.present(Role.AGENT).stream().findFirst().orElse(null);
        }
        if (agent == null) {
            return holdLimitWithNoAgent(record, held);
        }
        Telephony telephony = ports.telephony();
        String announcer = agent.callSid;
        // The agent hears why first; then the customer is back. A failed resume is thrown: the next run tries again.
        FollowUps.quietly("announcing the hold limit to the agent",
                () -> telephony.announce(record.conferenceSid, announcer, ports.callbackUrl(CallControl.ANNOUNCEMENT_PATH + "?say=" + CallControl.ANNOUNCE_HOLD_LIMIT)));
        telephony.hold(record.conferenceSid, customer.callSid, false, ports.holdUrl());
        String since = customer.heldSince;
        String detail = "customer held " + held + " s since " + since + " (limit " + limits.maxHold().toSeconds() + " s); taken off hold back to "
                + agent.workerSid;
        boolean[] claimed = new boolean[1];
        if (consulting) {
            claimed[0] = transitions.transition(record.taskSid, warm.id, Set.of(WarmTransfer.State.CONSULTING), WarmTransfer.State.THREE_WAY,
                    WarmTransfer.Reason.HOLD_LIMIT, BY, r -> resumed(r, since, now, detail)).isPresent();
        } else {
            // Twilio's participant-unhold may have landed already: what is claimed is the entry for this hold, once.
            ports.records().update(record.taskSid, () -> record, r -> {
                claimed[0] = r.audit == null || r.audit.stream().noneMatch(e -> HOLD_LIMIT_RESUMED.equals(e.event) && e.detail != null
                        && e.detail.contains(" since " + since + " "));
                if (claimed[0]) {
                    resumed(r, since, now, detail);
                }
                return claimed[0];
            });
        }
        if (!claimed[0]) {
            return null;
        }
        LOG.warn("Watchdog: {}", detail);
        return HOLD_LIMIT_RESUMED;
    }

    private static void resumed(CallRecord record, String since, Instant now, String detail) {
        CallRecord.Leg leg = record.customer();
        if (leg != null && leg.hold && since != null && since.equals(leg.heldSince)) {
            leg.hold(false, now);
        }
        record.audit(now, BY, HOLD_LIMIT_RESUMED, detail);
    }

    /** Held too long and no agent left to take them back: the customer goes back to their queue, at raised priority. */
    private String holdLimitWithNoAgent(CallRecord record, long held) {
        Effects[] effects = new Effects[1];
        Instant now = ports.clock().instant();
        String detail = "customer held " + held + " s with no agent on the call; back in queue " + record.queue;
        var written = ports.records().update(record.taskSid, () -> record, r -> {
            CallRecord.Leg customer = r.customer();
            if (r.ended() || TransferTargets.transferPending(r) || customer == null || !customer.present || !r.present(Role.AGENT).isEmpty()) {
                return false;
            }
            effects[0] = new Effects(ports);
            requeue.afterHoldLimit(r, effects[0]);
            r.audit(now, BY, "hold_limit_requeued", detail);
            return true;
        });
        if (written.isEmpty() || effects[0] == null) {
            return null;
        }
        effects[0].run(written.get());
        LOG.warn("Watchdog: {}", detail);
        return "hold_limit_requeued";
    }

    /** Writes an entry in the call's audit trail for an action already claimed; answers the event. */
    private String audited(CallRecord record, String event, String detail) {
        Instant now = ports.clock().instant();
        FollowUps.quietly("writing the audit entry of " + event, () -> ports.records().update(record.taskSid, () -> record, r -> {
            r.audit(now, BY, event, detail);
            return true;
        }));
        LOG.warn("Watchdog: {}", detail);
        return event;
    }

    private void stampStart(String taskSid, CallRecord record, Instant now) {
        ports.records().update(taskSid, () -> record, r -> {
            if (r.transfer == null || r.transfer.startedAt != null) {
                return false;
            }
            r.transfer.startedAt = now.toString();
            return true;
        });
    }

    /** When a warm transfer began reaching its target: its first entry in the history. */
    private static String ringingSince(WarmTransfer warm) {
        return warm.history == null || warm.history.isEmpty() ? null : warm.history.get(0).at;
    }

    private static Duration waited(String since, Instant now) {
        return since == null ? Duration.ZERO : Duration.between(Instant.parse(since), now);
    }
}
