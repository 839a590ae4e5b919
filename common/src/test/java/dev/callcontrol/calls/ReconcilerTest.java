package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.callcontrol.calls.ConnectedCall.AGENT_LEG;
import static dev.callcontrol.calls.ConnectedCall.ALICE;
import static dev.callcontrol.calls.ConnectedCall.CAROL;
import static dev.callcontrol.calls.ConnectedCall.CAROL_LEG;
import static dev.callcontrol.calls.ConnectedCall.CONFERENCE;
import static dev.callcontrol.calls.ConnectedCall.CUSTOMER_LEG;
import static dev.callcontrol.calls.ConnectedCall.SETTINGS;
import static dev.callcontrol.calls.ConnectedCall.TASK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reconciler against in-memory ports: Twilio's conference (what {@link FakeTelephony#conferences}
 * says) against the call's record, and what it applies where the two disagree.
 */
class ReconcilerTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:10:00Z");

    /** Connected two minutes before the reconciler's {@link #NOW}, on call control's own clock. */
    private final ConnectedCall call = new ConnectedCall(connecting -> {
        connecting.records.now = NOW.minusSeconds(120);
        return new CallControl(connecting.records, connecting.telephony, SETTINGS);
    });
    private final InMemoryCallRecords records = call.records;
    private final FakeTelephony telephony = call.telephony;
    private final CallControl calls = call.calls;

    private Reconciler reconciler(Duration grace, int maxRequests) {
        return new Reconciler(records, records, telephony, calls, new Reconciler.Settings(grace, maxRequests, Duration.ofMinutes(1)),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** One run inside an invocation with a minute left, as the scheduled function's is. */
    private static Reconciler.Outcome within(Reconciler reconciler) {
        return dev.callcontrol.http.Deadline.within(60_000, reconciler::run);
    }

    private Reconciler reconciler() {
        return reconciler(Duration.ofSeconds(20), Reconciler.Settings.MAX_REQUESTS);
    }

    private static Telephony.ConferenceParticipant connected(String callSid, String label, boolean hold) {
        return new Telephony.ConferenceParticipant(callSid, label, hold, false, false, null, true);
    }

    private void twilioHas(Telephony.ConferenceParticipant... participants) {
        telephony.conferences.put(CONFERENCE, new Telephony.ConferenceState(false, List.of(participants)));
    }

    @Test
    void aCallTwilioAgreesWithIsReadAndLeftAlone() {
        twilioHas(connected(AGENT_LEG, null, false), connected(CUSTOMER_LEG, "customer", false));
        Reconciler.Outcome outcome = within(reconciler());
        assertEquals(new Reconciler.Outcome(1, 1, 0, 0, 0, 2, false), outcome);
        assertEquals(List.of("conference " + CONFERENCE), telephony.requests);
    }

    @Test
    void theLastAgentsLostLeaveIsAppliedAndTheLastAgentRuleEndsTheConference() {
        // The agent hung up; Twilio's participant-leave never arrived: the customer is alone in the conference.
        twilioHas(connected(CUSTOMER_LEG, "customer", false));
        Reconciler.Outcome outcome = within(reconciler());
        assertEquals(1, outcome.repaired());
        assertEquals(1, outcome.events());
        assertTrue(telephony.requests.contains("endConference " + CONFERENCE), telephony.requests.toString());
        CallRecord record = records.find(TASK).orElseThrow();
        assertFalse(record.legs.get(AGENT_LEG).present);
        assertTrue(record.legs.get(CUSTOMER_LEG).present, "the customer leaves when the conference ends, not before");
        assertEquals(CallRecord.TASK_WRAPPING, record.tasks.get(TASK), "the agent's task moves on as their leave says");
    }

    @Test
    void aLostConferenceEndClosesTheRecordAndMovesItsTasksOn() {
        telephony.conferences.put(CONFERENCE, new Telephony.ConferenceState(true, List.of()));
        within(reconciler());
        CallRecord record = records.find(TASK).orElseThrow();
        assertTrue(record.ended());
        assertEquals(CallRecord.TASK_WRAPPING, record.tasks.get(TASK));
        assertEquals(1, records.live().size(), "an ended record stays live until its tasks are seen to have moved on");

        telephony.taskStatuses.put(TASK, "wrapping");
        telephony.requests.clear();
        Reconciler.Outcome settling = within(reconciler(Duration.ZERO, Reconciler.Settings.MAX_REQUESTS));
        assertEquals(List.of("taskStatus " + TASK), telephony.requests, "one read per task, and nothing to move");
        assertEquals(0, settling.repaired());
        assertEquals(List.of(), records.live(), "settled, the record leaves the live calls");
        assertTrue(records.find(TASK).orElseThrow().settledAt != null);
    }

    @Test
    void tasksAnEndedCallLeftOpenBecauseTheirUpdatesFailedAreMovedOn() {
        // The call ends; moving the agent's task to wrapping fails and is only logged at the time.
        telephony.failures.put("updateTask", request -> CallControlException.upstream("Twilio failed"));
        calls.onConferenceEvent(CallRecordTest.event("participant-leave", 3, AGENT_LEG, false));
        calls.onConferenceEvent(new ConferenceEvent(CONFERENCE, TASK, "conference-end", 5, null, null, false, false, false, null, null, null,
                ConferenceEvent.ENDED_VIA_API));
        telephony.failures.clear();
        telephony.taskStatuses.put(TASK, "assigned");
        telephony.requests.clear();

        Reconciler.Outcome outcome = within(reconciler(Duration.ZERO, Reconciler.Settings.MAX_REQUESTS));
        assertEquals(1, outcome.repaired(), outcome.toString());
        assertEquals(List.of("taskStatus " + TASK, "updateTask " + TASK + " WRAPPING"), telephony.requests);
        CallRecord record = records.find(TASK).orElseThrow();
        assertEquals("tasks_settled", record.audit.get(record.audit.size() - 1).event);
        assertEquals(List.of(), records.live());
    }

    @Test
    void aTaskReportTheCallsEndCouldNotWriteIsWrittenBeforeTheCallIsSettled() {
        telephony.failures.put("addTaskAttributes", request -> CallControlException.upstream("Twilio failed"));
        calls.onConferenceEvent(CallRecordTest.event("participant-leave", 3, CUSTOMER_LEG, false));
        calls.onConferenceEvent(new ConferenceEvent(CONFERENCE, TASK, "conference-end", 5, null, null, false, false, false, null, null, null, null));
        assertEquals(CallReports.CUSTOMER, records.find(TASK).orElseThrow().endedBy);
        assertFalse(CallReports.reported(records.find(TASK).orElseThrow()));
        telephony.taskStatuses.put(TASK, "wrapping");
        within(reconciler(Duration.ZERO, Reconciler.Settings.MAX_REQUESTS));
        assertEquals(1, records.live().size(), "not settled while a report is missing");

        telephony.failures.clear();
        within(reconciler(Duration.ZERO, Reconciler.Settings.MAX_REQUESTS));
        @SuppressWarnings("unchecked")
        Map<String, Object> conversations = (Map<String, Object>) telephony.addedAttributes.get(TASK).get("conversations");
        assertEquals("Customer", conversations.get("hang_up_by"));
        assertEquals(List.of(), records.live(), "settled once every task has its report");
    }

    @Test
    void aTaskStatusReadThatFailsLeavesTheCallForTheNextRun() {
        telephony.conferences.put(CONFERENCE, new Telephony.ConferenceState(true, List.of()));
        within(reconciler());
        telephony.failures.put("taskStatus", request -> CallControlException.upstream("Twilio failed"));
        within(reconciler(Duration.ZERO, Reconciler.Settings.MAX_REQUESTS));
        assertEquals(1, records.live().size(), "not settled: the next run reads again");
        telephony.failures.clear();
        within(reconciler(Duration.ZERO, Reconciler.Settings.MAX_REQUESTS));
        assertEquals(List.of(), records.live());
    }

    @Test
    void whereATaskOfAnEndedCallGoes() {
        assertEquals(Telephony.TaskStatus.CANCELED, Reconciler.settlement(CallRecord.TASK_CANCELED, "pending"));
        assertEquals(Telephony.TaskStatus.CANCELED, Reconciler.settlement(CallRecord.TASK_WRAPPING, "reserved"));
        assertEquals(Telephony.TaskStatus.WRAPPING, Reconciler.settlement(CallRecord.TASK_WRAPPING, "assigned"));
        assertEquals(Telephony.TaskStatus.WRAPPING, Reconciler.settlement(CallRecord.TASK_CANCELED, "assigned"));
        assertEquals(Telephony.TaskStatus.COMPLETED, Reconciler.settlement(CallRecord.TASK_COMPLETED, "assigned"));
        assertEquals(Telephony.TaskStatus.COMPLETED, Reconciler.settlement(CallRecord.TASK_COMPLETED, "wrapping"));
        assertEquals(null, Reconciler.settlement(CallRecord.TASK_WRAPPING, "wrapping"));
        assertEquals(null, Reconciler.settlement(CallRecord.TASK_WRAPPING, "completed"));
        assertEquals(null, Reconciler.settlement(CallRecord.TASK_CANCELED, "canceled"));
    }

    @Test
    void aConferenceTwilioNoLongerHasIsOverToo() {
        // No entry in telephony.conferences: Twilio answers 404.
        within(reconciler());
        assertTrue(records.find(TASK).orElseThrow().ended());
    }

    @Test
    void aTransferTargetsLostJoinTakesTheCustomerOffHold() {
        calls.coldTransfer(TASK, new Principal(ALICE, false), new TransferTarget.ToWorker(CAROL));
        CallRecord transferring = records.find(TASK).orElseThrow();
        String transferTask = transferring.transfer.taskSid;
        // What the product heard: the customer held, the agent gone. What it never heard: carol joining.
        calls.onConferenceEvent(CallRecordTest.event("participant-hold", 3, CUSTOMER_LEG, true));
        calls.onConferenceEvent(CallRecordTest.event("participant-leave", 4, AGENT_LEG, false));
        telephony.requests.clear();
        twilioHas(connected(CUSTOMER_LEG, "customer", true), connected(CAROL_LEG, Role.AGENT.label(CAROL, transferTask), false));
        within(reconciler());
        CallRecord record = records.find(TASK).orElseThrow();
        assertTrue(record.legs.get(CAROL_LEG).present, record.legs.keySet().toString());
        assertEquals(null, record.transfer, "the transfer is done");
        assertTrue(telephony.requests.contains("hold " + CUSTOMER_LEG + " false"), telephony.requests.toString());
        assertFalse(telephony.requests.contains("endConference " + CONFERENCE), "carol is with the customer");
    }

    @Test
    void aCustomerLeftAloneBecauseEndingTheConferenceFailedIsNotLeftAloneForGood() {
        telephony.failures.put("endConference", request -> CallControlException.upstream("Twilio failed ending the conference"));
        calls.onConferenceEvent(CallRecordTest.event("participant-leave", 3, AGENT_LEG, false));
        telephony.failures.clear();
        telephony.requests.clear();
        twilioHas(connected(CUSTOMER_LEG, "customer", false));
        Reconciler.Outcome outcome = within(reconciler());
        assertEquals(0, outcome.events(), "the record and Twilio agree");
        assertEquals(1, outcome.repaired());
        assertEquals(List.of("conference " + CONFERENCE, "endConference " + CONFERENCE), telephony.requests);
    }

    @Test
    void aRecordThatChangedWithinTheGraceIsLeftForTheWebhooksOnTheirWay() {
        twilioHas(connected(CUSTOMER_LEG, "customer", false));
        Reconciler.Outcome outcome = within(reconciler(Duration.ofMinutes(5), Reconciler.Settings.MAX_REQUESTS));
        assertEquals(0, outcome.visited());
        assertEquals(List.of(), telephony.requests);
    }

    @Test
    void aRunWithinItsBudgetLeavesTheRestToTheNextRunsWhichReachEveryCall() {
        Set<String> tasks = new HashSet<>();
        for (int i = 0; i < 9; i++) {
            String task = "WT" + "%032x".formatted(0x100 + i);
            tasks.add(task);
            records.update(task, () -> new CallRecord(task), record -> {
                record.conferenceSid = "CF" + task.substring(2);
                return true;
            });
            telephony.conferences.put("CF" + task.substring(2), new Telephony.ConferenceState(false, List.of()));
        }
        twilioHas(connected(AGENT_LEG, null, false), connected(CUSTOMER_LEG, "customer", false));
        Set<String> visited = new HashSet<>();
        for (int minute = 0; minute < 5; minute++) {
            telephony.requests.clear();
            Reconciler run = new Reconciler(records, records, telephony, calls, new Reconciler.Settings(Duration.ZERO, 6, Duration.ofMinutes(1)),
                    Clock.fixed(NOW.plus(Duration.ofMinutes(minute)), ZoneOffset.UTC));
            Reconciler.Outcome outcome = within(run);
            assertEquals(3, outcome.visited(), "six requests: three calls");
            assertTrue(outcome.stoppedEarly());
            telephony.requests.forEach(request -> visited.add("WT" + request.substring("conference CF".length())));
        }
        tasks.add(TASK);
        assertEquals(tasks, visited, "every call within the runs it takes");
    }

    @Test
    void aRateLimitedRunStopsThere() {
        for (int i = 0; i < 3; i++) {
            String task = "WT" + "%032x".formatted(0x200 + i);
            records.update(task, () -> new CallRecord(task), record -> {
                record.conferenceSid = "CF" + task.substring(2);
                return true;
            });
        }
        telephony.failures.put("conference", request -> new CallControlException(503, "twilio_rate_limited", "Twilio is limiting requests"));
        Reconciler.Outcome outcome = within(reconciler());
        assertTrue(outcome.stoppedEarly());
        assertEquals(1, telephony.requests.size(), "no request after the first 429: " + telephony.requests);
    }

    @Test
    void runningTwiceRepairsOnce() {
        twilioHas(connected(CUSTOMER_LEG, "customer", false));
        within(reconciler());
        long ends = telephony.requests.stream().filter(r -> r.startsWith("endConference")).count();
        // Twilio ends the conference as asked; until its conference-end arrives the record holds the customer there.
        telephony.conferences.put(CONFERENCE, new Telephony.ConferenceState(true, List.of()));
        within(reconciler());
        within(reconciler());
        assertEquals(1, ends);
        assertEquals(1, telephony.requests.stream().filter(r -> r.startsWith("endConference")).count(), telephony.requests.toString());
        assertTrue(records.find(TASK).orElseThrow().ended());
    }

    @Test
    void aWrapUpPastWrapUpSecondsIsCompletedAndTheCallStaysLiveUntilThen() {
        telephony.conferences.put(CONFERENCE, new Telephony.ConferenceState(true, List.of()));
        within(reconciler());
        telephony.taskStatuses.put(TASK, "wrapping");
        telephony.taskUpdates.put(TASK, NOW.minusSeconds(50));
        Reconciler limited = new Reconciler(records, records, telephony, calls, new Reconciler.Settings(Duration.ZERO, Reconciler.Settings.MAX_REQUESTS,
                Duration.ofMinutes(1), Duration.ofSeconds(300), Duration.ofSeconds(120), Duration.ofSeconds(60)), Clock.fixed(NOW, ZoneOffset.UTC));
        telephony.requests.clear();
        within(limited);
        assertEquals(List.of("taskStatus " + TASK), telephony.requests, "50 s into a 60 s wrap-up: nothing yet");
        assertEquals(1, records.live().size(), "the call stays live while its wrap-up runs");

        telephony.taskUpdates.put(TASK, NOW.minusSeconds(60));
        telephony.requests.clear();
        within(limited);
        assertEquals(List.of("taskStatus " + TASK, "completeTask " + TASK), telephony.requests);
        @SuppressWarnings("unchecked")
        Map<String, Object> wrapUp = (Map<String, Object>) telephony.completed.get(TASK).get("wrap_up");
        assertEquals("timed_out", wrapUp.get("disposition"));
        CallRecord record = records.find(TASK).orElseThrow();
        assertEquals(CallRecord.TASK_COMPLETED, record.tasks.get(TASK));
        assertTrue(record.audit.stream().anyMatch(e -> e.event.equals("wrap_up_timed_out")), record.audit.toString());
        assertEquals(List.of(), records.live(), "settled once nothing is in wrap-up");
    }

    @Test
    void withoutAWrapUpLimitAWrappingTaskIsTheAgentsToEnd() {
        telephony.conferences.put(CONFERENCE, new Telephony.ConferenceState(true, List.of()));
        within(reconciler());
        telephony.taskStatuses.put(TASK, "wrapping");
        telephony.taskUpdates.put(TASK, NOW.minusSeconds(3600));
        telephony.requests.clear();
        within(reconciler(Duration.ZERO, Reconciler.Settings.MAX_REQUESTS));
        assertEquals(List.of("taskStatus " + TASK), telephony.requests);
        assertEquals(List.of(), records.live());
    }

    @Test
    void runsThatCannotVisitEveryCallGoOnWhereTheLastOneStopped() {
        List<String> tasks = new java.util.ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            String task = String.format("WT%032x", i);
            tasks.add(task);
            records.update(task, () -> new CallRecord(task), r -> true);
        }
        // Five live calls (the connected one and four without a conference), two visits a run.
        List<String> all = records.live().stream().map(LiveCalls.Entry::taskSid).toList();
        assertEquals(5, all.size());
        List<String> seen = new java.util.ArrayList<>();
        for (int run = 0; run < 3; run++) {
            Reconciler.Outcome outcome = within(reconciler(Duration.ZERO, 2 * Reconciler.REQUESTS_PER_VISIT));
            assertEquals(2, outcome.visited(), outcome.toString());
            seen.add(records.cursor().orElseThrow());
        }
        assertEquals(List.of(all.get(1), all.get(3), all.get(0)), seen, "each run goes on after the last call the one before came to");
    }
}
