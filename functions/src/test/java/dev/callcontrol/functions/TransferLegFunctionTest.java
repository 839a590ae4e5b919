package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.config.Config;
import dev.callcontrol.store.CallStore;
import dev.callcontrol.testing.DynamoDbEngines;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transfer target's answered leg joins the call's conference, unless the call is over. */
class TransferLegFunctionTest {
    private static final String CALL_TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String TRANSFER_TASK = "WTfedcba9876543210fedcba9876543210";

    private CallStore store;
    private TransferLegFunction function;
    private FakeTelephony telephony;

    @BeforeEach
    void setUp() {
        var engine = DynamoDbEngines.embedded();
        store = new CallStore(engine.client(), engine.createCallsTable(), Clock.systemUTC());
        Config config = Config.of(Webhooks.localEnvironment());
        telephony = new FakeTelephony();
        function = new TransferLegFunction(config, Wiring.callControl(config, store, telephony));
    }

    private void pendingTransfer(String status) {
        store.update(CALL_TASK, () -> new CallRecord(CALL_TASK), record -> {
            record.conferenceSid = "CF0123456789abcdef0123456789abcdef";
            record.status = status;
            record.transfer = new CallRecord.Transfer();
            record.transfer.state = "routing";
            record.transfer.taskSid = TRANSFER_TASK;
            return true;
        });
    }

    @Test
    void theAnsweredLegJoinsTheConferenceNamedByTheCallsTaskLabelledAsTheNewAgent() {
        pendingTransfer("active");
        APIGatewayV2HTTPResponse response = function.handleRequest(Webhooks.sample("transfer-leg-answered.json"), null);
        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals("text/xml", response.getHeaders().get("Content-Type"));
        String twiml = response.getBody();
        assertTrue(twiml.contains(">" + CALL_TASK + "</Conference>"), twiml);
        assertTrue(twiml.contains("participantLabel=\"agent:WK00000000000000000000000000000003:" + TRANSFER_TASK + "\""), twiml);
        assertTrue(twiml.contains("endConferenceOnExit=\"false\""), twiml);
        assertEquals(List.of("acceptReservation " + TRANSFER_TASK + " WR0123456789abcdef0123456789abcdef"), telephony.requests,
                "the product accepts the target's reservation once they answer");
    }

    @Test
    void aTargetWhoseReservationIsGoneByTheTimeTheyAnswerIsToldSoAndDoesNotJoin() {
        pendingTransfer("active");
        telephony.acceptances.put("WR0123456789abcdef0123456789abcdef", Telephony.Acceptance.GONE);
        String twiml = function.handleRequest(Webhooks.sample("transfer-leg-answered.json"), null).getBody();
        assertTrue(twiml.contains("<Say>") && twiml.contains("<Hangup/>"), twiml);
        assertTrue(!twiml.contains("<Conference"), twiml);
    }

    @Test
    void aTargetWhoAnswersAfterTheCallerLeftIsToldSoAndDoesNotOpenAnEmptyConference() {
        pendingTransfer("ended");
        String twiml = function.handleRequest(Webhooks.sample("transfer-leg-answered.json"), null).getBody();
        assertTrue(twiml.contains("<Say>") && twiml.contains("<Hangup/>"), twiml);
        assertTrue(!twiml.contains("<Conference"), twiml);
    }

    @Test
    void unsignedOrMalformedRequestsAreRefused() {
        APIGatewayV2HTTPEvent unsigned = Webhooks.sample("transfer-leg-answered.json");
        unsigned.getHeaders().remove("x-twilio-signature");
        assertEquals(403, function.handleRequest(unsigned, null).getStatusCode());
        APIGatewayV2HTTPEvent malformed = Webhooks.sample("transfer-leg-answered.json");
        malformed.setRawQueryString("call=nope&task=" + TRANSFER_TASK + "&worker=WK00000000000000000000000000000003");
        assertEquals(400, function.handleRequest(Webhooks.signed(malformed), null).getStatusCode());
    }
}
