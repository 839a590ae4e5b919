package dev.callcontrol.functions;

import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.config.Config;
import dev.callcontrol.store.CallStore;
import dev.callcontrol.testing.DynamoDbEngines;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An unanswered transfer to a worker puts the customer back in their queue, once. */
class CallEventsFunctionTest {
    private static final String CALL_TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String TRANSFER_TASK = "WTfedcba9876543210fedcba9876543210";

    private CallStore store;
    private FakeTelephony telephony;
    private CallEventsFunction function;

    @BeforeEach
    void setUp() {
        var engine = DynamoDbEngines.embedded();
        store = new CallStore(engine.client(), engine.createCallsTable(), Clock.systemUTC());
        telephony = new FakeTelephony();
        Config config = Config.of(Webhooks.localEnvironment());
        function = new CallEventsFunction(config, Wiring.callControl(config, store, telephony));
        store.update(CALL_TASK, () -> new CallRecord(CALL_TASK), record -> {
            record.conferenceSid = "CF0123456789abcdef0123456789abcdef";
            record.queue = "support";
            record.callerAttributes = Map.of("from", "+14155550123");
            record.transfer = new CallRecord.Transfer();
            record.transfer.state = "routing";
            record.transfer.target = "worker";
            record.transfer.to = "WK00000000000000000000000000000003";
            record.transfer.fallbackQueue = "support";
            record.transfer.taskSid = TRANSFER_TASK;
            record.tasks.put(TRANSFER_TASK, CallRecord.TASK_ROUTING);
            return true;
        });
    }

    @Test
    void anUnansweredTransferToAWorkerCancelsItsTaskAndRequeuesTheCustomerWithRaisedPriority() {
        assertEquals(200, function.handleRequest(Webhooks.sample("call-events-transfer-no-answer.json"), null).getStatusCode());
        assertEquals(1, telephony.requests("updateTask").size());
        assertTrue(telephony.requests("updateTask").get(0).endsWith(TRANSFER_TASK + " CANCELED"));
        String created = telephony.requests("createTask").get(0);
        assertTrue(created.startsWith("createTask 20 "), created);
        assertTrue(created.contains("desired_queue=support") && !created.contains("requested_agent"), created);
        CallRecord record = store.find(CALL_TASK).orElseThrow();
        assertEquals("queue", record.transfer.target);
        assertEquals(1, record.transfer.requeues);
        assertEquals(CallRecord.TASK_CANCELED, record.tasks.get(TRANSFER_TASK));
        assertEquals(CALL_TASK, store.find(record.transfer.taskSid).orElseThrow().taskSid, "the new task reaches the call");

        assertEquals(200, function.handleRequest(Webhooks.sample("call-events-transfer-no-answer.json"), null).getStatusCode());
        assertEquals(1, telephony.requests("createTask").size(), "a repeated callback requeues nothing more");
    }
}
