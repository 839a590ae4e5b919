package dev.callcontrol.calls;

import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An outbound call's customer is the leg placed to {@code outbound_to}, whatever TaskRouter has
 * written into the task's attributes by the time each join is reported and in whichever order the
 * joins arrive: neither is documented.
 */
class OutboundCustomerTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String AGENT_LEG = "CA00000000000000000000000000000b01";
    private static final String CUSTOMER_LEG = "CA00000000000000000000000000000b02";
    private static final String ALICE = "WK00000000000000000000000000000001";
    private static final String NUMBER = "+14155550199";

    private CallRecord connect(boolean attributeWritten, boolean customerFirst) {
        InMemoryCallRecords records = new InMemoryCallRecords();
        FakeTelephony telephony = new FakeTelephony();
        telephony.tasks.put(TASK, new Telephony.TaskContext(TASK, "assigned", attributeWritten ? CUSTOMER_LEG : null, ALICE, "everyone",
                Map.of("outbound_to", NUMBER, "requested_agent", ALICE, "direction", "outbound"), 3));
        telephony.calledNumbers.put(AGENT_LEG, "client:alice");
        telephony.calledNumbers.put(CUSTOMER_LEG, NUMBER);
        CallControl calls = new CallControl(records, telephony, new CallControl.Settings("https://calls.example.com", "+15005550006", 20, List.of("+1")));
        List<String> order = customerFirst ? List.of(CUSTOMER_LEG, AGENT_LEG) : List.of(AGENT_LEG, CUSTOMER_LEG);
        calls.onConferenceEvent(CallRecordTest.event("participant-join", 1, order.get(0), false));
        calls.onConferenceEvent(CallRecordTest.event("participant-join", 2, order.get(1), false));
        return records.find(TASK).orElseThrow();
    }

    @Test
    void theCustomerIsTheLegPlacedToTheOutboundNumberUnderEveryTimingAndOrder() {
        for (boolean written : List.of(true, false)) {
            for (boolean customerFirst : List.of(false, true)) {
                CallRecord record = connect(written, customerFirst);
                String what = "attribute written " + written + ", customer joined first " + customerFirst;
                assertEquals(CUSTOMER_LEG, record.customerCallSid, what);
                assertEquals(Role.CUSTOMER, record.legs.get(CUSTOMER_LEG).role, what);
                assertEquals(Role.AGENT, record.legs.get(AGENT_LEG).role, what);
            }
        }
    }
}
