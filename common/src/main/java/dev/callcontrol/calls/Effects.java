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

    /** Further requests, run last. */
    final List<Runnable> then = new ArrayList<>();
    boolean unholdCustomer;
    boolean bringCustomer;
    boolean endConference;
    final List<String> wrap = new ArrayList<>();
    final List<String> cancel = new ArrayList<>();

    Effects(Ports ports) {
        this.telephony = ports.telephony();
        this.holdUrl = ports.holdUrl();
    }

    void run(CallRecord record) {
        if (bringCustomer) {
            FollowUps.quietly("moving the waiting caller into the conference",
                    () -> telephony.moveIntoConference(record.customerCallSid, record.taskSid, Role.CUSTOMER.label(), true));
            LOG.info("Agent joined after the whisper; caller moved into the conference");
        }
        if (unholdCustomer && record.customer() != null) {
            FollowUps.quietly("taking the customer off hold for the transfer target",
                    () -> telephony.hold(record.conferenceSid, record.customerCallSid, false, holdUrl));
            LOG.info("Transfer target joined; customer taken off hold");
        }
        if (endConference) {
            FollowUps.quietly("ending the conference after the last agent left", () -> telephony.endConference(record.conferenceSid));
            LOG.info("Last agent left with no transfer pending; conference ended");
        }
        wrap.forEach(task -> FollowUps.quietly("moving task " + task + " to wrapping", () -> telephony.updateTask(task, Telephony.TaskStatus.WRAPPING, null)));
        cancel.forEach(task -> FollowUps.cancelTask(telephony, task, "the call ended before the transfer was answered"));
        then.forEach(Runnable::run);
    }
}
