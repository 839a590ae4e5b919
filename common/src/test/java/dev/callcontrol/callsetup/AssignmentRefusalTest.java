package dev.callcontrol.callsetup;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.testing.FakeTelephony;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AssignmentRefusalTest {
    private static final String TASK = "WT00000000000000000000000000000001";
    private static final String RESERVATION = "WR00000000000000000000000000000001";

    @Test
    void aTaskNobodyCanTakeIsCanceledAndTheCallbackAnswersEmpty() {
        for (AssignmentRejected.Reason reason : List.of(AssignmentRejected.Reason.MALFORMED_TRANSFER, AssignmentRejected.Reason.INVALID_NUMBER,
                AssignmentRejected.Reason.DESTINATION_NOT_ALLOWED)) {
            FakeTelephony telephony = new FakeTelephony();
            assertEquals(AssignmentRefusal.Answer.HANDLED, new AssignmentRefusal(telephony).refuse(TASK, RESERVATION, new AssignmentRejected(reason, "no")));
            assertEquals(List.of("updateTask " + TASK + " CANCELED"), telephony.requests, reason.name());
        }
    }

    @Test
    void aWorkerWhoCannotBeRungHasTheReservationRejectedIntoTheTimeoutActivity() {
        FakeTelephony telephony = new FakeTelephony();
        assertEquals(AssignmentRefusal.Answer.HANDLED, new AssignmentRefusal(telephony)
                .refuse(TASK, RESERVATION, new AssignmentRejected(AssignmentRejected.Reason.MISSING_CONTACT_URI, "no contact_uri")));
        assertEquals(List.of("rejectReservationOfUnreachableWorker " + TASK + " " + RESERVATION), telephony.requests);
    }

    @Test
    void whenTwilioCannotBeReachedTheCallbackAnswersWithTheRejectInstruction() {
        FakeTelephony telephony = new FakeTelephony();
        telephony.failures.put("updateTask", request -> new CallControlException(504, "twilio_unreachable", "Twilio did not answer"));
        assertEquals(AssignmentRefusal.Answer.REJECT_INSTRUCTION, new AssignmentRefusal(telephony)
                .refuse(TASK, RESERVATION, new AssignmentRejected(AssignmentRejected.Reason.INVALID_NUMBER, "not E.164")));
    }
}
