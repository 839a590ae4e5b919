package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The task reports derived from a call's record: each segment's end, the transfers, who ended the call. */
class CallReportsTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String TARGET_TASK = "WT00000000000000000000000000000b01";
    private static final Instant NOW = Instant.parse("2026-01-01T00:10:00Z");

    private static CallRecord ended(String by) {
        CallRecord record = new CallRecord(TASK);
        record.tasks.put(TASK, CallRecord.TASK_WRAPPING);
        record.endedBy = by;
        record.status = "ended";
        return record;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> conversations(CallRecord record, String task) {
        return (Map<String, Object>) CallReports.report(record, task, record.tasks.get(task)).getOrDefault("conversations", Map.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> callControl(CallRecord record, String task) {
        return (Map<String, Object>) CallReports.report(record, task, record.tasks.get(task)).get("call_control");
    }

    private static void coldTransfer(CallRecord record, String target, String to, String outcome) {
        record.transfer = new CallRecord.Transfer();
        record.transfer.id = "t-" + target;
        record.transfer.target = target;
        record.transfer.to = to;
        record.transfer.fromWorkerSid = "WK00000000000000000000000000000001";
        record.transfer.fromTaskSid = TASK;
        record.transfer.state = "routing";
        CallReports.coldEnded(record, outcome, "worker".equals(target) ? TARGET_TASK : null, NOW);
        record.transfer = null;
    }

    @Test
    void theSegmentTheCallEndedInSaysWhoEndedIt() {
        Map<String, String> expected = Map.of(CallReports.CUSTOMER, "Customer", CallReports.AGENT, "Agent", CallReports.TRANSFER_TARGET, "Agent",
                CallReports.EXTERNAL_PARTY, "External Party", CallReports.SUPERVISOR, "Supervisor", CallReports.PRODUCT, "System");
        expected.forEach((by, hangUpBy) -> {
            CallRecord record = ended(by);
            assertEquals(hangUpBy, conversations(record, TASK).get("hang_up_by"), by);
            assertEquals(by, callControl(record, TASK).get("ended_by"));
        });
        CallRecord unknown = ended(null);
        assertNull(conversations(unknown, TASK).get("hang_up_by"), "nobody is named when nobody is known");
        assertFalse(callControl(unknown, TASK).containsKey("ended_by"));
    }

    @Test
    void aLiveCallReportsNoHangUp() {
        CallRecord record = new CallRecord(TASK);
        record.tasks.put(TASK, CallRecord.TASK_ASSIGNED);
        record.endedBy = CallReports.CUSTOMER;
        assertTrue(conversations(record, TASK).isEmpty());
        assertEquals(List.of(), callControl(record, TASK).get("transfers"));
    }

    @Test
    void aTransferEndsTheTransferringAgentsSegmentWhateverBecameOfItAfter() {
        CallRecord record = ended(CallReports.CUSTOMER);
        coldTransfer(record, "number", "+14155550199", "completed");
        assertEquals(Map.of("hang_up_by", "External Cold Transfer", "followed_by", "External Transfer", "destination", "+14155550199"),
                conversations(record, TASK));

        CallRecord toQueue = ended(CallReports.CUSTOMER);
        coldTransfer(toQueue, "queue", "sales", "customer_hung_up");
        assertEquals(Map.of("hang_up_by", "Cold Transfer", "followed_by", "Transfer to Queue"), conversations(toQueue, TASK));

        CallRecord undone = ended(CallReports.AGENT);
        coldTransfer(undone, "worker", "WK00000000000000000000000000000003", "undone");
        assertEquals("Agent", conversations(undone, TASK).get("hang_up_by"), "an undone transfer left the agent on the call");
    }

    @Test
    void aCustomerWhoHangsUpOnATransferTaskIsReportedOnItButAnUnansweredOneIsNot() {
        CallRecord record = ended(CallReports.CUSTOMER);
        record.tasks.put(TARGET_TASK, CallRecord.TASK_CANCELED);
        assertEquals("Customer", conversations(record, TARGET_TASK).get("hang_up_by"));
        record.endedBy = CallReports.AGENT;
        assertNull(conversations(record, TARGET_TASK).get("hang_up_by"), "a transfer task nobody took was not hung up on");
    }

    @Test
    void aWarmTransferIsLoggedOnceWhenItEndsAndItsConsultedTargetSaysConsult() {
        CallRecord record = ended(CallReports.CUSTOMER);
        record.tasks.put(TARGET_TASK, CallRecord.TASK_WRAPPING);
        WarmTransfer warm = new WarmTransfer();
        warm.id = "w1";
        warm.target = "worker";
        warm.to = "WK00000000000000000000000000000003";
        warm.fromTaskSid = TASK;
        warm.taskSid = TARGET_TASK;
        warm.move(WarmTransfer.State.INITIATED, WarmTransfer.Reason.STARTED, "WK1", NOW);
        warm.move(WarmTransfer.State.RINGING, WarmTransfer.Reason.TARGET_RINGING, "WK1", NOW);
        record.warm = warm;
        CallReports.warmEnded(record);
        assertNull(record.transferLog, "an active transfer is not logged");
        warm.move(WarmTransfer.State.CONSULTING, WarmTransfer.Reason.TARGET_JOINED, "twilio", NOW);
        warm.move(WarmTransfer.State.CANCELED, WarmTransfer.Reason.CANCELED_BY_AGENT, "WK1", NOW);
        CallReports.warmEnded(record);
        CallReports.warmEnded(record);
        assertEquals(1, record.transferLog.size(), "logged once");
        assertEquals("Consult", conversations(record, TARGET_TASK).get("hang_up_by"));
        assertEquals("Customer", conversations(record, TASK).get("hang_up_by"), "the agent stayed: their segment ended with the call");
        assertEquals(List.of(Map.of("kind", "warm", "target", "worker", "to", "WK00000000000000000000000000000003", "outcome", "canceled_by_agent",
                "at", NOW.toString())), callControl(record, TASK).get("transfers"));
    }

    @Test
    void theLogKeepsTheNewestTransfersOnly() {
        CallRecord record = ended(CallReports.CUSTOMER);
        for (int i = 0; i < CallReports.TRANSFERS_KEPT + 3; i++) {
            coldTransfer(record, "queue", "q" + i, "completed");
            record.transferLog.get(record.transferLog.size() - 1).id = "t" + i;
        }
        assertEquals(CallReports.TRANSFERS_KEPT, record.transferLog.size());
        assertEquals("q3", record.transferLog.get(0).to);
    }

    @Test
    void theFirstToEndTheCallIsKept() {
        CallRecord record = new CallRecord(TASK);
        CallReports.endedBy(record, CallReports.SUPERVISOR);
        CallReports.endedBy(record, CallReports.CUSTOMER);
        assertEquals(CallReports.SUPERVISOR, record.endedBy);
        CallRecord over = ended(null);
        CallReports.endedBy(over, CallReports.AGENT);
        assertNull(over.endedBy, "nothing is claimed once the call has ended");
    }

    @Test
    void theFinalReportIsWrittenOncePerTaskAndAFailedWriteIsLeftForTheNextTry() {
        InMemoryCallRecords records = new InMemoryCallRecords();
        FakeTelephony telephony = new FakeTelephony();
        CallRecord record = ended(CallReports.CUSTOMER);
        record.tasks.put(TARGET_TASK, CallRecord.TASK_WRAPPING);
        records.update(TASK, () -> record, r -> true);
        CallReports reports = new CallReports(telephony, records);

        telephony.during.put("addTaskAttributes", request -> {
            if (request.endsWith(TARGET_TASK)) {
                throw CallControlException.upstream("Twilio failed");
            }
        });
        assertFalse(reports.writeFinal(records.find(TASK).orElseThrow()));
        assertEquals(List.of(TASK), records.find(TASK).orElseThrow().reportedTasks);
        assertFalse(CallReports.reported(records.find(TASK).orElseThrow()));

        telephony.during.clear();
        telephony.requests.clear();
        assertTrue(reports.writeFinal(records.find(TASK).orElseThrow()));
        assertEquals(List.of("addTaskAttributes " + TARGET_TASK), telephony.requests, "only the task still without its report");
        assertTrue(CallReports.reported(records.find(TASK).orElseThrow()));
    }
}
