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

/** The two party routes' handlers: the sample events, MAX_PARTIES from the configuration, and bad input as JSON errors. */
class ParticipantFunctionsTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String ALICE = "WK00000000000000000000000000000001";
    private static final String AGENT_LEG = "CA00000000000000000000000000000a01";
    private static final String CUSTOMER_LEG = "CA00000000000000000000000000000a02";

    private InMemoryCallRecords records;
    private FakeTelephony telephony;
    private CallControl calls;

    @BeforeEach
    void aConnectedCall() {
        records = new InMemoryCallRecords();
        telephony = new FakeTelephony();
        calls = new CallControl(records, telephony, new CallControl.Settings("http://127.0.0.1:3000", "+15005550006", 20, List.of("+1")));
        records.update(TASK, () -> new CallRecord(TASK), r -> {
            r.conferenceSid = "CF0123456789abcdef0123456789abcdef";
            r.workerSid = ALICE;
            r.agentCallSid = AGENT_LEG;
            r.customerCallSid = CUSTOMER_LEG;
            r.legs.put(AGENT_LEG, leg(AGENT_LEG, Role.AGENT, ALICE));
            r.legs.put(CUSTOMER_LEG, leg(CUSTOMER_LEG, Role.CUSTOMER, null));
            return true;
        });
    }

    private static CallRecord.Leg leg(String callSid, Role role, String workerSid) {
        CallRecord.Leg leg = new CallRecord.Leg();
        leg.callSid = callSid;
        leg.role = role;
        leg.workerSid = workerSid;
        leg.present = true;
        return leg;
    }

    private AddParticipantFunction add(String maxParties) {
        Map<String, String> env = new HashMap<>(Webhooks.localEnvironment());
        env.put("MAX_PARTIES", maxParties);
        return new AddParticipantFunction(Config.of(env), calls, records);
    }

    private static APIGatewayV2HTTPEvent withBody(String body) {
        APIGatewayV2HTTPEvent event = Webhooks.sample("add-participant.json");
        event.setBody(body);
        return event;
    }

    @Test
    void theSampleAddsANumberAndMaxPartiesComesFromTheConfiguration() {
        var added = add("3").handleRequest(Webhooks.sample("add-participant.json"), null);
        assertEquals(201, added.getStatusCode(), added.getBody());
        assertTrue(added.getBody().contains("\"state\":\"ringing\""), added.getBody());
        assertEquals(1, telephony.requests("addParticipant").size());
        var full = add("3").handleRequest(withBody("{\"to\":{\"number\":\"+14155550991\"}}"), null);
        assertEquals(409, full.getStatusCode(), full.getBody());
        assertTrue(full.getBody().contains("too_many_parties"), full.getBody());
    }

    @Test
    void badBodiesAreClearErrorsAndDialNothing() {
        for (String body : List.of("{}", "{\"to\":{}}", "{\"to\":{\"number\":7}}", "{\"to\":{\"queue\":\"sales\"}}",
                "{\"to\":{\"worker\":\"alice\"}}", "{\"to\":{\"number\":\"+1\"}}", "[]")) {
            var response = add("6").handleRequest(withBody(body), null);
            assertEquals(400, response.getStatusCode(), body + " -> " + response.getBody());
            assertTrue(response.getBody().contains("\"error\""), response.getBody());
        }
        assertTrue(telephony.requests.isEmpty(), telephony.requests.toString());
    }

    @Test
    void removingNamesTheLegOrTheRingingTask() {
        RemoveParticipantFunction remove = new RemoveParticipantFunction(Config.of(Webhooks.localEnvironment()), calls);
        var nobody = remove.handleRequest(Webhooks.sample("remove-participant.json"), null);
        assertEquals(404, nobody.getStatusCode(), nobody.getBody());
        assertTrue(nobody.getBody().contains("no_party"), nobody.getBody());
        APIGatewayV2HTTPEvent malformed = Webhooks.sample("remove-participant.json");
        malformed.setPathParameters(Map.of("taskSid", TASK, "callSid", "CA1"));
        assertEquals(400, remove.handleRequest(malformed, null).getStatusCode());
        APIGatewayV2HTTPEvent customer = Webhooks.sample("remove-participant.json");
        customer.setPathParameters(Map.of("taskSid", TASK, "callSid", CUSTOMER_LEG));
        var refused = remove.handleRequest(customer, null);
        assertEquals(409, refused.getStatusCode(), refused.getBody());
        assertTrue(refused.getBody().contains("customer_not_removable"), refused.getBody());
        assertTrue(telephony.requests.isEmpty(), telephony.requests.toString());
    }
}
