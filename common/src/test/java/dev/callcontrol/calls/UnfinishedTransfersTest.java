package dev.callcontrol.calls;

import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import dev.callcontrol.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.callcontrol.calls.ConnectedCall.AGENT_LEG;
import static dev.callcontrol.calls.ConnectedCall.ALICE_AGENT;
import static dev.callcontrol.calls.ConnectedCall.CAROL;
import static dev.callcontrol.calls.ConnectedCall.CONFERENCE;
import static dev.callcontrol.calls.ConnectedCall.CUSTOMER_LEG;
import static dev.callcontrol.calls.ConnectedCall.TASK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transfers stopped between two steps (a write that failed after the customer was held): undone at
 * once where the flow can, and by the reconciler once they are older than any invocation.
 */
class UnfinishedTransfersTest {
    private final ConnectedCall call = ConnectedCall.onTheClock();
    private final MutableClock clock = call.clock;
    private final InMemoryCallRecords records = call.records;
    private final FakeTelephony telephony = call.telephony;
    private final CallControl calls = call.calls;

    @BeforeEach
    void twilioHasBothLegsWithTheCustomerHeld() {
        telephony.conferences.put(CONFERENCE, new Telephony.ConferenceState(false, List.of(
                new Telephony.ConferenceParticipant(AGENT_LEG, null, false, false, false, null, true),
                new Telephony.ConferenceParticipant(CUSTOMER_LEG, "customer", true, false, false, null, true))));
    }

    private CallRecord record() {
        return records.find(TASK).orElseThrow();
    }

    private String watch() {
        return calls.watch(record(), Duration.ofSeconds(300), Duration.ofSeconds(120));
    }

    private void later(long seconds) {
        clock.advance(Duration.ofSeconds(seconds));
    }

    @Test
    void aColdTransferWhoseRoutingWriteFailsIsUndoneAtOnce() {
        records.failWritesOf = r -> r.transfer != null && "routing".equals(r.transfer.state);
        assertThrows(IllegalStateException.class, () -> calls.coldTransfer(TASK, ALICE_AGENT, new TransferTarget.ToWorker(CAROL)));
        records.failWritesOf = r -> false;
        String task = telephony.requests.stream().filter(r -> r.startsWith("updateTask ")).findFirst().orElseThrow().split(" ")[1];
        assertTrue(telephony.requests.contains("updateTask " + task + " CANCELED"), telephony.requests.toString());
        assertTrue(telephony.requests.contains("hold " + CUSTOMER_LEG + " false"), telephony.requests.toString());
        assertFalse(telephony.requests.contains("removeParticipant " + AGENT_LEG), "the agent stays with the customer");
        assertNull(record().transfer, "the claim is cleared: the agent may try again");
    }

    @Test
    void aColdTransferLeftStartingIsUndoneByTheReconcilerOnceNoInvocationCanStillBeRunningIt() {
        // The routing write and the undo's own write both fail: the record says 'starting' and nobody would end it.
        records.failWritesOf = r -> r.transfer == null || "routing".equals(r.transfer.state);
        assertThrows(IllegalStateException.class, () -> calls.coldTransfer(TASK, ALICE_AGENT, new TransferTarget.ToWorker(CAROL)));
        records.failWritesOf = r -> false;
        CallRecord.Transfer stuck = record().transfer;
        assertEquals("starting", stuck.state);
        assertTrue(stuck.id != null && stuck.startedAt != null, "the claim recorded the transfer's id and start before Twilio was asked");
        String created = "WT" + "f".repeat(30) + "01";
        telephony.transferTasks.put(stuck.id, Map.of(created, "pending"));

        later(89);
        assertNull(watch(), "an invocation could still be finishing it");
        later(1);
        telephony.requests.clear();
        assertEquals("transfer_undone", watch());
        assertTrue(telephony.requests.contains("transferTasks " + stuck.id), telephony.requests.toString());
        assertTrue(telephony.requests.contains("updateTask " + created + " CANCELED"), telephony.requests.toString());
        assertTrue(telephony.requests.contains("hold " + CUSTOMER_LEG + " false"), telephony.requests.toString());
        assertNull(record().transfer);
        assertEquals("transfer_undone", record().audit.get(record().audit.size() - 1).event);
        assertNull(watch(), "done once");
    }

    @Test
    void aNumberTransferLeftStartingHasItsParticipantRemovedByLabel() {
        records.failWritesOf = r -> r.transfer == null || "routing".equals(r.transfer.state);
        assertThrows(IllegalStateException.class, () -> calls.coldTransfer(TASK, ALICE_AGENT, new TransferTarget.ToNumber("+14155550199")));
        records.failWritesOf = r -> false;
        String label = record().transfer.label;
        assertTrue(label != null && label.startsWith("transfer:"), label);
        later(90);
        telephony.requests.clear();
        assertEquals("transfer_undone", watch());
        assertTrue(telephony.requests.contains("removeParticipant " + label), telephony.requests.toString());
    }

    @Test
    void withNoAgentLeftAnUndoneTransferPutsTheCustomerBackInTheirQueue() {
        records.failWritesOf = r -> r.transfer == null || "routing".equals(r.transfer.state);
        assertThrows(IllegalStateException.class, () -> calls.coldTransfer(TASK, ALICE_AGENT, new TransferTarget.ToWorker(CAROL)));
        records.failWritesOf = r -> false;
        // The agent hung up meanwhile: the last-agent rule waited, since a transfer was under way.
        calls.onConferenceEvent(CallRecordTest.event("participant-leave", 3, AGENT_LEG, false));
        assertTrue(record().present(Role.AGENT).isEmpty());
        later(90);
        telephony.requests.clear();
        assertEquals("transfer_requeued", watch());
        assertTrue(telephony.requests.stream().anyMatch(r -> r.startsWith("createTask " + CallControl.REQUEUE_PRIORITY + " ")), telephony.requests.toString());
        assertFalse(telephony.requests.contains("hold " + CUSTOMER_LEG + " false"), "the customer keeps their music while they wait");
        assertEquals("routing", record().transfer.state);
        assertEquals(1, record().transfer.requeues);
    }

    @Test
    void aRequeueWhoseTaskCouldNotBeCreatedIsStartedAgain() {
        records.failWritesOf = r -> r.transfer == null || "routing".equals(r.transfer.state);
        assertThrows(IllegalStateException.class, () -> calls.coldTransfer(TASK, ALICE_AGENT, new TransferTarget.ToWorker(CAROL)));
        records.failWritesOf = r -> false;
        calls.onConferenceEvent(CallRecordTest.event("participant-leave", 3, AGENT_LEG, false));
        later(90);
        telephony.failures.put("createTask", request -> dev.callcontrol.agent.CallControlException.upstream("Twilio failed"));
        assertEquals("transfer_requeued", watch());
        assertEquals("starting", record().transfer.state, "the requeue itself could not start");
        telephony.failures.clear();
        later(90);
        assertEquals("transfer_requeued", watch());
        assertEquals("routing", record().transfer.state);
    }

    @Test
    void aWarmTransferWhoseRingingWriteFailsIsUndoneAtOnceAndByTheReconcilerIfNeedBe() {
        records.failWritesOf = r -> r.warm != null && r.warm.state != WarmTransfer.State.INITIATED;
        assertThrows(IllegalStateException.class, () -> calls.warm().start(TASK, ALICE_AGENT, new TransferTarget.ToWorker(CAROL)));
        records.failWritesOf = r -> false;
        WarmTransfer stuck = record().warm;
        assertEquals(WarmTransfer.State.INITIATED, stuck.state, "the undo's own write failed too");
        assertTrue(telephony.requests.contains("hold " + CUSTOMER_LEG + " false"), "the flow resumed the customer: " + telephony.requests);
        telephony.transferTasks.put(stuck.id, Map.of("WT" + "f".repeat(30) + "01", "canceled"));
        later(90);
        telephony.requests.clear();
        assertEquals("transfer_undone", watch());
        assertEquals(WarmTransfer.State.FAILED, record().warm.state);
        assertEquals("reconciler", record().warm.history.get(record().warm.history.size() - 1).by);
        assertFalse(telephony.requests.stream().anyMatch(r -> r.startsWith("updateTask")), "a task already canceled is left as it is");
    }
}
