package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.Role;
import dev.callcontrol.config.Config;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent ends their wrap-up with a disposition: the task completed with it, the record and its audit trail told. */
class WrapUpFunctionTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String ALICE = "WK00000000000000000000000000000001";
    private static final String AGENT_LEG = "CA00000000000000000000000000000a01";

    private InMemoryCallRecords records;
    private FakeTelephony telephony;
    private CallControl calls;

    @BeforeEach
    void anEndedCallInWrapUp() {
        records = new InMemoryCallRecords();
        telephony = new FakeTelephony();
        calls = new CallControl(records, telephony, new CallControl.Settings("http://127.0.0.1:3000", "+15005550006", 20, List.of()));
        records.update(TASK, () -> new CallRecord(TASK), r -> {
            r.conferenceSid = "CF0123456789abcdef0123456789abcdef";
            r.status = "ended";
            r.workerSid = ALICE;
            CallRecord.Leg agent = new CallRecord.Leg();
            agent.callSid = AGENT_LEG;
            agent.role = Role.AGENT;
            agent.workerSid = ALICE;
            agent.taskSid = TASK;
            r.legs.put(AGENT_LEG, agent);
            r.tasks.put(TASK, CallRecord.TASK_WRAPPING);
            return true;
        });
    }

    private WrapUpFunction function(String dispositions) {
        Map<String, String> env = new HashMap<>(Webhooks.localEnvironment());
        env.put("WRAP_UP_DISPOSITIONS", dispositions);
        return new WrapUpFunction(Config.of(env), calls);
    }

    private static APIGatewayV2HTTPEvent withBody(String body) {
        APIGatewayV2HTTPEvent event = Webhooks.sample("wrap-up.json");
        event.setBody(body);
        return event;
    }

    @Test
    void theAgentEndsTheirWrapUpWithADisposition() {
        var response = function("resolved,callback").handleRequest(Webhooks.sample("wrap-up.json"), null);
        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals(List.of("completeTask " + TASK), telephony.requests);
        @SuppressWarnings("unchecked")
        Map<String, Object> wrapUp = (Map<String, Object>) telephony.completed.get(TASK).get("wrap_up");
        assertEquals("resolved", wrapUp.get("disposition"));
        assertTrue(String.valueOf(wrapUp.get("notes")).startsWith("Card replaced"), wrapUp.toString());
        CallRecord record = records.find(TASK).orElseThrow();
        assertEquals(CallRecord.TASK_COMPLETED, record.tasks.get(TASK));
        assertEquals("wrap_up", record.audit.get(0).event);
        assertTrue(response.getBody().contains("\"event\":\"wrap_up\""), response.getBody());

        var again = function("").handleRequest(Webhooks.sample("wrap-up.json"), null);
        assertEquals(409, again.getStatusCode(), "no task left in wrap-up: " + again.getBody());
        assertTrue(again.getBody().contains("not_wrapping"), again.getBody());
    }

    @Test
    void aDispositionOutsideTheListIsRefusedAndNothingChanges() {
        var response = function("resolved,callback").handleRequest(withBody("{\"disposition\":\"sold\"}"), null);
        assertEquals(400, response.getStatusCode(), response.getBody());
        assertTrue(telephony.requests.isEmpty(), telephony.requests.toString());
        assertEquals(CallRecord.TASK_WRAPPING, records.find(TASK).orElseThrow().tasks.get(TASK));
    }

    @Test
    void badBodiesAreClearErrors() {
        for (String body : List.of("{}", "{\"disposition\":7}", "{\"disposition\":\"\"}", "{\"disposition\":\"ok\",\"notes\":[1]}",
                "{\"disposition\":\"<script>\"}", "{\"disposition\":\"ok\",\"notes\":\"" + "x".repeat(2001) + "\"}")) {
            var response = function("").handleRequest(withBody(body), null);
            assertEquals(400, response.getStatusCode(), body + " -> " + response.getBody());
            assertTrue(response.getBody().contains("\"error\""), response.getBody());
        }
        assertTrue(telephony.requests.isEmpty(), telephony.requests.toString());
    }
}
