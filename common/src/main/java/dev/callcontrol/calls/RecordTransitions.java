package dev.callcontrol.calls;

import dev.callcontrol.metrics.CallMetrics;
import dev.callcontrol.metrics.CallMetrics.Outcome;
import dev.callcontrol.metrics.CallMetrics.TransferKind;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a landed write of a call record changed, in the metrics' terms: the customer held or taken
 * off hold, a cold transfer's outcome and how long its target took to answer, a warm transfer's
 * start, outcome, answer and consultation. Read from a snapshot of the record before the change and
 * one after it. A cold transfer's request, and its failure before its target was reached, are
 * counted by {@link ColdTransfer} itself (nothing in the record tells a cold transfer's claim from
 * a requeue's).
 */
final class RecordTransitions {
    private RecordTransitions() {
    }

    /** The parts of a record the metrics read, copied (the record itself is changed in place). */
    record Facts(boolean customerHeld, String heldSince, Cold cold, Warm warm, boolean ended,
                 java.util.Map<String, String> tasks, java.util.Set<String> presentLegs) {
        static Facts of(CallRecord record) {
            CallRecord.Leg customer = record.customer();
            boolean held = customer != null && customer.present && customer.hold;
            CallRecord.Transfer t = record.transfer;
            Cold cold = t == null ? null : new Cold(t.state, t.target, t.taskSid, t.callSid, t.requeues, t.startedAt);
            WarmTransfer w = record.warm;
            Warm warm = w == null ? null : new Warm(w.id, w.state, w.target, List.copyOf(w.history));
            java.util.Set<String> present = new java.util.HashSet<>();
            record.legs.forEach((sid, leg) -> {
                if (leg.present) {
                    present.add(sid);
                }
            });
            return new Facts(held, held ? customer.heldSince : null, cold, warm, record.ended(), java.util.Map.copyOf(record.tasks), present);
        }
    }

    record Cold(String state, String target, String taskSid, String callSid, int requeues, String startedAt) {
        /** Routing to the target the agent chose (not a requeue after it failed). */
        boolean routingToChosenTarget() {
            return "routing".equals(state) && requeues == 0;
        }
    }

    record Warm(String id, WarmTransfer.State state, String target, List<WarmTransfer.Audit> history) {
        Instant enteredAt(WarmTransfer.State entered) {
            for (int i = history.size() - 1; i >= 0; i--) {
                WarmTransfer.Audit entry = history.get(i);
                if (entry.to == entered && entry.at != null) {
                    return Instant.parse(entry.at);
                }
            }
            return null;
        }

        Instant lastAt() {
            return history.isEmpty() || history.get(history.size() - 1).at == null ? null : Instant.parse(history.get(history.size() - 1).at);
        }
    }

    static void count(Facts before, Facts after, CallMetrics metrics, Instant now) {
        holds(before, after, metrics, now);
        cold(before, after, metrics, now);
        warm(before.warm(), after.warm(), metrics);
    }

    private static void holds(Facts before, Facts after, CallMetrics metrics, Instant now) {
        if (!before.customerHeld() && after.customerHeld()) {
            metrics.customerHeld();
        } else if (before.customerHeld() && !after.customerHeld() && before.heldSince() != null) {
            metrics.holdEnded(Duration.between(Instant.parse(before.heldSince()), now));
        }
    }

    private static void cold(Facts before, Facts after, CallMetrics metrics, Instant now) {
        Cold was = before.cold();
        if (was == null || !was.routingToChosenTarget()) {
            return;
        }
        Cold is = after.cold();
        if (is != null && is.routingToChosenTarget()) {
            return;
        }
        if (is != null) {
            // Requeuing: the target did not answer, declined, timed out, or its task was canceled.
            metrics.transfer(TransferKind.COLD, was.target(), Outcome.FAILED);
        } else if (after.ended()) {
            metrics.transfer(TransferKind.COLD, was.target(), Outcome.CANCELED);
        } else if (joined(was, after)) {
            metrics.transfer(TransferKind.COLD, was.target(), Outcome.COMPLETED);
            if (was.startedAt() != null) {
                metrics.targetAnswered(TransferKind.COLD, was.target(), Duration.between(Instant.parse(was.startedAt()), now));
            }
        } else {
            metrics.transfer(TransferKind.COLD, was.target(), Outcome.FAILED);
        }
    }

    /** The transfer's target is on the call: its task assigned (a worker or a queue), or its number's leg present. */
    private static boolean joined(Cold transfer, Facts after) {
        if ("number".equals(transfer.target())) {
            return transfer.callSid() != null && after.presentLegs().contains(transfer.callSid());
        }
        return transfer.taskSid() != null && CallRecord.TASK_ASSIGNED.equals(after.tasks().get(transfer.taskSid()));
    }

    private static void warm(Warm was, Warm is, CallMetrics metrics) {
        if (is == null || is.state() == null) {
            return;
        }
        boolean same = was != null && java.util.Objects.equals(is.id(), was.id());
        if (!same) {
            metrics.transfer(TransferKind.WARM, is.target(), Outcome.REQUESTED);
            was = null;
        }
        WarmTransfer.State from = was == null ? null : was.state();
        if (from == is.state()) {
            return;
        }
        if (is.state() == WarmTransfer.State.CONSULTING) {
            Instant started = is.enteredAt(WarmTransfer.State.INITIATED);
            Instant joined = is.enteredAt(WarmTransfer.State.CONSULTING);
            if (started != null && joined != null) {
                metrics.targetAnswered(TransferKind.WARM, is.target(), Duration.between(started, joined));
            }
        }
        if (from == WarmTransfer.State.CONSULTING) {
            Instant consulting = is.enteredAt(WarmTransfer.State.CONSULTING);
            Instant left = is.lastAt();
            if (consulting != null && left != null) {
                metrics.consultEnded(is.target(), Duration.between(consulting, left));
            }
        }
        switch (is.state()) {
            case COMPLETED -> metrics.transfer(TransferKind.WARM, is.target(), Outcome.COMPLETED);
            case FAILED -> metrics.transfer(TransferKind.WARM, is.target(), Outcome.FAILED);
            case CANCELED -> metrics.transfer(TransferKind.WARM, is.target(), Outcome.CANCELED);
            default -> {
            }
        }
    }
}
