package dev.callcontrol.calls;

import dev.callcontrol.agent.Principal;
import dev.callcontrol.metrics.CallMetrics;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import dev.callcontrol.testing.MutableClock;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The call most call-control tests start from, against in-memory ports: alice's support task with the customer
 * on it, carol a worker it may go to, and alice's and the customer's legs joined to the conference, with what
 * reaching that asked of Twilio forgotten.
 */
final class ConnectedCall {
    static final String TASK = "WT0123456789abcdef0123456789abcdef";
    static final String CONFERENCE = "CF0123456789abcdef0123456789abcdef";
    static final String AGENT_LEG = "CA00000000000000000000000000000a01";
    static final String CUSTOMER_LEG = "CA00000000000000000000000000000a02";
    static final String CAROL_LEG = "CA00000000000000000000000000000a03";
    static final String ALICE = "WK00000000000000000000000000000001";
    static final String CAROL = "WK00000000000000000000000000000003";
    static final Principal ALICE_AGENT = new Principal(ALICE, false);
    /** A queue besides the task's own ({@code support}) that a transfer may go to. */
    static final Telephony.Queue SALES = new Telephony.Queue("WQ00000000000000000000000000000002", "sales");
    /** Call control's settings with its default transfer timeout, as the tests on call control's own clock use. */
    static final CallControl.Settings SETTINGS = new CallControl.Settings("https://calls.example.com", "+15005550006", 20, List.of("+1"));
    /** How long a transfer's target has to answer ({@code TRANSFER_TIMEOUT_SECONDS}) in {@link #TIMED_SETTINGS}, for the watchdog too. */
    static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(120);
    /** {@link #SETTINGS} with the {@link #TRANSFER_TIMEOUT}, as the tests that move the clock use. */
    static final CallControl.Settings TIMED_SETTINGS = new CallControl.Settings("https://calls.example.com", "+15005550006", 20, List.of("+1"),
            (int) TRANSFER_TIMEOUT.toSeconds());

    /** The clock the tests move; the calls built by {@link #onTheClock} and {@link #stampedByTheClock} read it. */
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:10:00Z"));
    final InMemoryCallRecords records = new InMemoryCallRecords();
    final FakeTelephony telephony = new FakeTelephony();
    final CallControl calls;

    /**
     * Puts the task and carol into the fake Twilio, has {@code control} build the call control (it may first set
     * up more of the records or of Twilio, which the joins then see), then joins alice and the customer.
     */
    ConnectedCall(Function<ConnectedCall, CallControl> control) {
        telephony.tasks.put(TASK, new Telephony.TaskContext(TASK, "assigned", CUSTOMER_LEG, ALICE, "support", Map.of("from", "+14155550123"), 75));
        telephony.workers.put(CAROL, new Telephony.Worker(CAROL, "carol", "client:carol"));
        calls = control.apply(this);
        calls.onConferenceEvent(CallRecordTest.event("participant-join", 1, AGENT_LEG, false));
        calls.onConferenceEvent(CallRecordTest.event("participant-join", 2, CUSTOMER_LEG, false));
        telephony.requests.clear();
    }

    /** The call on the {@link #clock} with {@link #TIMED_SETTINGS}; the records keep their own time. */
    static ConnectedCall onTheClock() {
        return new ConnectedCall(call -> new CallControl(call.records, call.telephony, TIMED_SETTINGS, call.clock));
    }

    /** {@link #onTheClock()} with the records stamped at the clock's time (until a test moves {@code records.now}). */
    static ConnectedCall stampedByTheClock() {
        return stampedByTheClock(CallMetrics.NONE);
    }

    /** {@link #stampedByTheClock()} counting into {@code metrics}. */
    static ConnectedCall stampedByTheClock(CallMetrics metrics) {
        return new ConnectedCall(call -> {
            call.records.now = call.clock.instant();
            return new CallControl(call.records, call.telephony, TIMED_SETTINGS, call.clock, metrics);
        });
    }
}
