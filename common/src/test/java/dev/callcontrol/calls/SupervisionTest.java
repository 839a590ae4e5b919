package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static dev.callcontrol.calls.ConnectedCall.ALICE;
import static dev.callcontrol.calls.ConnectedCall.CUSTOMER_LEG;
import static dev.callcontrol.calls.ConnectedCall.SETTINGS;
import static dev.callcontrol.calls.ConnectedCall.TASK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A supervisor ends only their own session (issue 19, finding 8), and whose session it is is
 * decided in the record's conditional write: a session that changes hands between the read and
 * the write is checked again as it is, never ended on the strength of the earlier read.
 */
class SupervisionTest {
    private static final String SAM_LEG = "CA00000000000000000000000000000a04";
    private static final Principal SAM = new Principal("WK00000000000000000000000000000004", true);
    private static final Principal ROSA = new Principal("WK00000000000000000000000000000005", true);

    private InMemoryCallRecords stored;
    private RacingRecords records;
    private FakeTelephony telephony;
    private CallControl calls;

    @BeforeEach
    void connectedAndSupervisedBySam() {
        ConnectedCall call = new ConnectedCall(connecting -> {
            connecting.telephony.tasks.put(TASK, new Telephony.TaskContext(TASK, "assigned", CUSTOMER_LEG, ALICE, "support", Map.of("from", "+14155550123"), 30));
            connecting.telephony.workers.put(SAM.workerSid(), new Telephony.Worker(SAM.workerSid(), "sam", "client:sam"));
            connecting.telephony.workers.put(ROSA.workerSid(), new Telephony.Worker(ROSA.workerSid(), "rosa", "client:rosa"));
            records = new RacingRecords(connecting.records);
            return new CallControl(records, connecting.telephony, SETTINGS);
        });
        stored = call.records;
        telephony = call.telephony;
        calls = call.calls;
        calls.supervise(TASK, SAM, CallControl.Mode.MONITOR);
        calls.onConferenceEvent(CallRecordTest.labelled("participant-join", 3, SAM_LEG, "supervisor:" + SAM.workerSid()));
        telephony.requests.clear();
    }

    @Test
    void anotherSupervisorIsRefusedAndNothingReachesTwilio() {
        CallControlException refused = assertThrows(CallControlException.class, () -> calls.stopSupervising(TASK, ROSA));
        assertEquals(403, refused.status());
        assertEquals("not_your_session", refused.code());
        assertEquals(List.of(), telephony.requests);
        assertEquals(SAM.workerSid(), stored.find(TASK).orElseThrow().supervisor.workerSid, "sam is still supervising");
    }

    @Test
    void theSupervisorEndsTheirOwnSession() {
        CallRecord after = calls.stopSupervising(TASK, SAM);
        assertEquals(List.of("removeParticipant " + SAM_LEG), telephony.requests);
        assertNull(after.supervisor);
        assertNull(stored.find(TASK).orElseThrow().supervisor);
        assertNull(calls.stopSupervising(TASK, ROSA).supervisor, "with nobody supervising, leaving changes nothing");
        assertEquals(List.of("removeParticipant " + SAM_LEG), telephony.requests, "and asks Twilio nothing");
    }

    @Test
    void aSessionThatChangedHandsBeforeTheWriteIsCheckedAgainNotEndedOnAnOldRead() {
        // Rosa asks to leave while she is supervising; before her write lands, her session has ended and sam's begun.
        calls.stopSupervising(TASK, SAM);
        calls.supervise(TASK, ROSA, CallControl.Mode.MONITOR);
        calls.onConferenceEvent(CallRecordTest.labelled("participant-join", 4, "CA00000000000000000000000000000a05", "supervisor:" + ROSA.workerSid()));
        telephony.requests.clear();
        records.beforeNextWrite = () -> stored.update(TASK, () -> null, record -> {
            record.supervisor.workerSid = SAM.workerSid();
            record.supervisor.callSid = SAM_LEG;
            return true;
        });
        CallControlException refused = assertThrows(CallControlException.class, () -> calls.stopSupervising(TASK, ROSA));
        assertEquals("not_your_session", refused.code());
        assertEquals(2, records.attempts, "the check ran on the record read first, lost the race, and ran again on the record as it was");
        assertEquals(List.of(), telephony.requests, "sam's leg was not removed");
        assertEquals(SAM.workerSid(), stored.find(TASK).orElseThrow().supervisor.workerSid);
    }

    /**
     * The store's optimistic write as {@link CallRecords#update} documents it, with a chance to
     * write in between: when another write lands between the read and the write, the write fails
     * and the change runs again on a fresh read.
     */
    private static final class RacingRecords implements CallRecords {
        private final InMemoryCallRecords delegate;
        Runnable beforeNextWrite;
        int attempts;

        RacingRecords(InMemoryCallRecords delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<CallRecord> find(String taskSid) {
            return delegate.find(taskSid);
        }

        @Override
        public Optional<CallRecord> update(String taskSid, Supplier<CallRecord> create, Predicate<CallRecord> change) {
            Runnable interleaved = beforeNextWrite;
            beforeNextWrite = null;
            attempts = 0;
            if (interleaved != null) {
                attempts++;
                CallRecord read = delegate.find(taskSid).orElseGet(create);
                if (!change.test(read)) {
                    return Optional.of(read);
                }
                interleaved.run();
            }
            attempts++;
            return delegate.update(taskSid, create, change);
        }

        @Override
        public void alias(String taskSid, String callTaskSid) {
            delegate.alias(taskSid, callTaskSid);
        }

        @Override
        public long countDial(String workerSid, int perMinute) {
            return delegate.countDial(workerSid, perMinute);
        }
    }
}
