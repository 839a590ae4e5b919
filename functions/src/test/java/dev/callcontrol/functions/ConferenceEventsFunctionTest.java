package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.Role;
import dev.callcontrol.config.Config;
import dev.callcontrol.store.CallStore;
import dev.callcontrol.testing.DynamoDbEngines;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Conference events, delivered the way Twilio delivers them (signed, repeated, out of order), kept in DynamoDB. */
class ConferenceEventsFunctionTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String AGENT = "CA00000000000000000000000000000a01";
    private static final String CUSTOMER = "CA00000000000000000000000000000b02";

    private CallStore store;
    private FakeTelephony telephony;
    private final AtomicInteger taskLookups = new AtomicInteger();
    private ConferenceEventsFunction function;

    @BeforeEach
    void setUp() {
        var engine = DynamoDbEngines.embedded();
        store = new CallStore(engine.client(), engine.createCallsTable(), Clock.systemUTC());
        telephony = new FakeTelephony() {
            @Override
            public Optional<TaskContext> task(String taskSid) {
                taskLookups.incrementAndGet();
                return Optional.of(new TaskContext(taskSid, "assigned", CUSTOMER, "WK00000000000000000000000000000001", "support", Map.of(), 12));
            }
        };
        Config config = Config.of(Webhooks.localEnvironment());
        function = new ConferenceEventsFunction(config, Wiring.callControl(config, store, telephony));
    }

    private int deliver(String type, int sequence, String callSid, boolean hold) {
        APIGatewayV2HTTPEvent sample = Webhooks.sample("conference-event-join.json");
        Map<String, String> form = new LinkedHashMap<>(Webhooks.form(sample));
        form.put("StatusCallbackEvent", type);
        form.put("SequenceNumber", String.valueOf(sequence));
        if (callSid == null) {
            form.remove("CallSid");
            form.remove("Hold");
        } else {
            form.put("CallSid", callSid);
            form.put("Hold", String.valueOf(hold));
        }
        return function.handleRequest(Webhooks.signed(Webhooks.withForm(sample, form)), null).getStatusCode();
    }

    @Test
    void theSampleEventIsAccepted() {
        assertEquals(200, function.handleRequest(Webhooks.sample("conference-event-join.json"), null).getStatusCode());
        assertEquals(Role.AGENT, store.find(TASK).orElseThrow().legs.get("CA00000000000000000000000000000a01").role);
    }

    @Test
    void repeatedAndLateEventsLeaveTheRecordRight() {
        assertEquals(200, deliver("participant-join", 1, AGENT, false));
        assertEquals(200, deliver("conference-start", 2, null, false));
        assertEquals(200, deliver("participant-join", 3, CUSTOMER, false));
        assertEquals(200, deliver("participant-unhold", 5, CUSTOMER, false));
        assertEquals(200, deliver("participant-hold", 4, CUSTOMER, true));
        assertEquals(200, deliver("participant-unhold", 5, CUSTOMER, false));
        CallRecord record = store.find(TASK).orElseThrow();
        assertFalse(record.customer().hold, "the late hold did not win over the newer unhold");
        assertTrue(record.customer().present);
        assertEquals("WK00000000000000000000000000000001", record.workerSid);
        assertEquals(AGENT, record.agentCallSid);
        assertEquals(1, taskLookups.get(), "the task is read once, for the first leg");
    }

    @Test
    void unsignedEventsChangeNothing() {
        APIGatewayV2HTTPEvent sample = Webhooks.sample("conference-event-join.json");
        sample.getHeaders().remove("x-twilio-signature");
        assertEquals(403, function.handleRequest(sample, null).getStatusCode());
        assertTrue(store.find(TASK).isEmpty());
    }

    @Test
    void malformedEventsGetA400() {
        APIGatewayV2HTTPEvent sample = Webhooks.sample("conference-event-join.json");
        Map<String, String> form = new LinkedHashMap<>(Webhooks.form(sample));
        form.put("ConferenceSid", "<Response/>");
        assertEquals(400, function.handleRequest(Webhooks.signed(Webhooks.withForm(sample, form)), null).getStatusCode());
        assertTrue(store.find(TASK).isEmpty());
    }

    @Test
    void theLastAgentLeavingEndsTheConferenceSoTheCustomerIsNotLeftAlone() {
        deliver("participant-join", 1, AGENT, false);
        deliver("conference-start", 2, null, false);
        deliver("participant-join", 3, CUSTOMER, false);
        assertEquals(200, deliver("participant-leave", 4, AGENT, false));
        assertEquals(java.util.List.of("endConference CF0123456789abcdef0123456789abcdef"), telephony.requests("endConference"));
        assertTrue(telephony.requests("updateTask").isEmpty(), "ending the conference wraps the task in TaskRouter itself");
        assertEquals(200, deliver("participant-leave", 4, AGENT, false));
        assertEquals(1, telephony.requests("endConference").size(), "a repeated leave changes nothing");
    }
}
