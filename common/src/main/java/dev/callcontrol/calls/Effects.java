package dev.callcontrol.calls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The Twilio requests a conference event calls for: decided while the call record is written (so
 * that a lost race decides again from the record that won) and run once the write has landed.
 */
final class Effects {
    private static final Logger LOG = LoggerFactory.getLogger(Effects.class);

    private final Telephony telephony;
    private final String holdUrl;
    private final CallRecords records;

    /** Further requests, run last. */
    final List<Runnable> then = new ArrayList<>();
    boolean unholdCustomer;
    boolean bringCustomer;
    boolean endConference;
    final List<String> wrap = new ArrayList<>();
    final List<String> cancel = new ArrayList<>();
    /** The call ended: each task gets its report ({@link CallReports}). */
    boolean report;
    private final CallReports reports;

    Effects(Ports ports) {
        this.telephony = ports.telephony();
        this.holdUrl = ports.holdUrl();
        this.records = ports.records();
        this.reports = new CallReports(ports);
    }

    void run(CallRecord record) {
        if (bringCustomer) {
            if (FollowUps.attempt("moving the waiting caller into the conference",
                    () -> telephony.moveIntoConference(record.customerCallSid, record.taskSid, Role.CUSTOMER.label(), true))) {
                LOG.info("Agent joined after the whisper; caller moved into the conference");
            } else {
                pending(record, CallRecord.EFFECT_BRING_CUSTOMER);
            }
        }
        if (unholdCustomer && record.customer() != null) {
            if (FollowUps.attempt("taking the customer off hold for the transfer target",
                    () -> telephony.hold(record.conferenceSid, record.customerCallSid, false, holdUrl))) {
                LOG.info("Transfer target joined; customer taken off hold");
            } else {
                pending(record, CallRecord.EFFECT_UNHOLD_CUSTOMER);
            }
        }
        if (endConference) {
            FollowUps.quietly("ending the conference after the last agent left", () -> telephony.endConference(record.conferenceSid));
            LOG.info("Last agent left with no transfer pending; conference ended");
        }
        if (report) {
            // Before the tasks move on: a canceled task may take no attributes (rule taskrouter.task.attributes-after-end).
            reports.writeFinal(record);
        }
        wrap.forEach(task -> FollowUps.quietly("moving task " + task + " to wrapping", () -> telephony.updateTask(task, Telephony.TaskStatus.WRAPPING, null)));
        cancel.forEach(task -> FollowUps.cancelTask(telephony, task, "the call ended before the transfer was answered"));
        then.forEach(Runnable::run);
    }

    /**
     * Keeps a failed effect in the record for the reconciler to send again ({@link PendingEffects}):
     * the task updates and the conference's end are found again from the record as it is, but a
     * customer left on hold, or left in the queue, is not.
     */
    private void pending(CallRecord record, String effect) {
        pending(records, record, effect);
    }

    /** Keeps {@code effect} in the call's record for the reconciler (once), quietly. */
    static void pending(CallRecords records, CallRecord record, String effect) {
        FollowUps.quietly("keeping the failed effect " + effect + " for the reconciler", () -> records.update(record.taskSid, () -> record, r -> {
            if (r.pendingEffects != null && r.pendingEffects.contains(effect)) {
                return false;
            }
            if (r.pendingEffects == null) {
                r.pendingEffects = new ArrayList<>();
            }
            r.pendingEffects.add(effect);
            return true;
        }));
    }
}
