package dev.callcontrol.calls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The follow-ups of a conference event that failed ({@link Effects}) and that nothing else would
 * find again, sent once more by the reconciler: the customer taken off hold for the agent who now
 * has them, the caller who waited through an agent's whisper moved into the conference, the recording
 * paused or resumed as the call wants it. Each is sent
 * only while it still makes sense (the customer still held with no transfer under way; the caller
 * still not in the conference), then cleared from the record with an audit entry; one that fails
 * again stays for the next run.
 */
final class PendingEffects {
    private static final Logger LOG = LoggerFactory.getLogger(PendingEffects.class);
    static final String EVENT = "effects_retried";

    private final Ports ports;
    private final Recordings recordings;

    PendingEffects(Ports ports, Recordings recordings) {
        this.ports = ports;
        this.recordings = recordings;
    }

    /** Sends the call's pending effects again; answers the audit trail's event, or null when there were none. */
    String retry(CallRecord record) {
        if (record == null || record.pendingEffects == null || record.pendingEffects.isEmpty() || record.ended()) {
            return null;
        }
        Telephony telephony = ports.telephony();
        List<String> done = new ArrayList<>();
        for (String effect : record.pendingEffects) {
            CallRecord.Leg customer = record.customer();
            boolean sent = switch (effect) {
                case CallRecord.EFFECT_UNHOLD_CUSTOMER -> {
                    if (customer != null && customer.present && customer.hold && !TransferTargets.transferPending(record)) {
                        telephony.hold(record.conferenceSid, customer.callSid, false, ports.holdUrl());
                    }
                    yield true;
                }
                case CallRecord.EFFECT_BRING_CUSTOMER -> {
                    if (record.customerCallSid != null && (customer == null || !customer.present)) {
                        telephony.moveIntoConference(record.customerCallSid, record.taskSid, Role.CUSTOMER.label(), true);
                    }
                    yield true;
                }
                case CallRecord.EFFECT_SYNC_RECORDING -> {
                    if (recordings.needsChange(record)) {
                        recordings.converge(record, null);
                    }
                    yield true;
                }
                // An effect this version does not know: dropped, so it cannot block the others.
                default -> true;
            };
            if (sent) {
                done.add(effect);
            }
        }
        Instant now = ports.clock().instant();
        boolean[] cleared = new boolean[1];
        ports.records().update(record.taskSid, () -> record, r -> {
            if (r.pendingEffects == null || !r.pendingEffects.removeAll(done)) {
                return false;
            }
            if (r.pendingEffects.isEmpty()) {
                r.pendingEffects = null;
            }
            r.audit(now, UnfinishedTransfers.BY, EVENT, "sent again what failed when Twilio reported it: " + String.join(", ", done));
            cleared[0] = true;
            return true;
        });
        if (!cleared[0]) {
            return null;
        }
        LOG.warn("Reconciler: sent again {}", done);
        return EVENT;
    }
}
