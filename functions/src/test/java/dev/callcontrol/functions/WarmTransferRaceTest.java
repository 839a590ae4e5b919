package dev.callcontrol.functions;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.Role;
import dev.callcontrol.calls.WarmTransfer;
import dev.callcontrol.store.CallStore;
import dev.callcontrol.testing.DynamoDbEngines;
import dev.callcontrol.testing.FakeTelephony;
import org.junit.jupiter.api.RepeatedTest;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two actors race to complete and cancel the same warm transfer, against DynamoDB Local: exactly one wins. */
class WarmTransferRaceTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String ALICE = "WK00000000000000000000000000000001";

    @RepeatedTest(5)
    void completeAndCancelRacingLeaveExactlyOneWinner() throws Exception {
        var engine = DynamoDbEngines.embedded();
        CallStore store = new CallStore(engine.client(), engine.createCallsTable(), Clock.systemUTC());
        FakeTelephony telephony = new FakeTelephony();
        CallControl calls = new CallControl(store, telephony, new CallControl.Settings("http://127.0.0.1:3000", "+15005550006", 20, List.of()));
        store.update(TASK, () -> new CallRecord(TASK), record -> {
            record.conferenceSid = "CF0123456789abcdef0123456789abcdef";
            record.workerSid = ALICE;
            record.customerCallSid = "CA00000000000000000000000000000a02";
            record.agentCallSid = "CA00000000000000000000000000000a01";
            record.legs.put(record.agentCallSid, leg(record.agentCallSid, Role.AGENT, ALICE, TASK, false));
            record.legs.put(record.customerCallSid, leg(record.customerCallSid, Role.CUSTOMER, null, null, true));
            record.legs.put("CA00000000000000000000000000000a03", leg("CA00000000000000000000000000000a03", Role.AGENT,
                    "WK00000000000000000000000000000003", "WTfedcba9876543210fedcba9876543210", false));
            record.tasks.put(TASK, CallRecord.TASK_ASSIGNED);
            record.tasks.put("WTfedcba9876543210fedcba9876543210", CallRecord.TASK_ASSIGNED);
            WarmTransfer warm = new WarmTransfer();
            warm.id = "race";
            warm.target = "worker";
            warm.to = "WK00000000000000000000000000000003";
            warm.taskSid = "WTfedcba9876543210fedcba9876543210";
            warm.targetCallSid = "CA00000000000000000000000000000a03";
            warm.targetWorkerSid = "WK00000000000000000000000000000003";
            warm.fromWorkerSid = ALICE;
            warm.fromCallSid = record.agentCallSid;
            warm.fromTaskSid = TASK;
            warm.move(WarmTransfer.State.INITIATED, WarmTransfer.Reason.STARTED, ALICE, Instant.now());
            warm.move(WarmTransfer.State.RINGING, WarmTransfer.Reason.TARGET_RINGING, ALICE, Instant.now());
            warm.move(WarmTransfer.State.CONSULTING, WarmTransfer.Reason.TARGET_JOINED, "twilio", Instant.now());
            record.warm = warm;
            return true;
        });
        Principal alice = new Principal(ALICE, false);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        Future<String> complete = threads.submit(() -> attempt(go, () -> calls.warm().complete(TASK, alice)));
        Future<String> cancel = threads.submit(() -> attempt(go, () -> calls.warm().cancel(TASK, alice)));
        go.countDown();
        List<String> outcomes = List.of(complete.get(30, TimeUnit.SECONDS), cancel.get(30, TimeUnit.SECONDS));
        threads.shutdown();

        assertEquals(1, outcomes.stream().filter(o -> o.equals("won")).count(), outcomes.toString());
        assertTrue(outcomes.contains("409 illegal_transition"), outcomes.toString());
        WarmTransfer after = store.find(TASK).orElseThrow().warm;
        assertTrue(after.state == WarmTransfer.State.COMPLETED || after.state == WarmTransfer.State.CANCELED, after.state.toString());
        assertEquals(4, after.history.size(), "one transition after CONSULTING, not two");
        if (after.state == WarmTransfer.State.COMPLETED) {
            assertEquals(List.of("removeParticipant CA00000000000000000000000000000a01"), telephony.requests("removeParticipant"), "only the agent leaves");
        } else {
            assertEquals(List.of("removeParticipant CA00000000000000000000000000000a03"), telephony.requests("removeParticipant"), "only the target leaves");
        }
    }

    private static String attempt(CountDownLatch go, Runnable action) throws InterruptedException {
        go.await();
        try {
            action.run();
            return "won";
        } catch (CallControlException e) {
            return e.status() + " " + e.code();
        }
    }

    private static CallRecord.Leg leg(String callSid, Role role, String workerSid, String taskSid, boolean hold) {
        CallRecord.Leg leg = new CallRecord.Leg();
        leg.callSid = callSid;
        leg.role = role;
        leg.workerSid = workerSid;
        leg.taskSid = taskSid;
        leg.present = true;
        leg.hold = hold;
        return leg;
    }
}
