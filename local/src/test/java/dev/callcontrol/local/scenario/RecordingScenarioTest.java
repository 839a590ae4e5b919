package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.rest.api.v2010.account.conference.Participant;
import com.twilio.rest.api.v2010.account.conference.Recording;
import dev.callcontrol.local.Agent;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Recording pause and resume through the agent API, with calls recorded from the start and paused
 * while the customer is held: what the simulator's Conference Recording resource says after each
 * step, and what the call's view shows.
 */
@CallCentreScenario.WithSettings({"CONFERENCE_RECORD=true", "PAUSE_RECORDING_ON_HOLD=true", "RECORDING_PAUSE_BEHAVIOR=skip"})
class RecordingScenarioTest extends CallCentreScenario {
    /** The defaults of MAX_HOLD_SECONDS and RECONCILE_SCHEDULE, which the scenarios run with. */
    private static final int MAX_HOLD_SECONDS = 300;
    private static final int RECONCILE_PERIOD_SECONDS = 60;

    @Test
    void theAgentPausesAndResumesTheRecordingAndARepeatChangesNothing() {
        String customer = "+14155550181";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        String conference = agent.get("/calls/" + call.task()).body().path("conferenceSid").asText();
        assertEquals(List.of(Recording.Status.IN_PROGRESS), statuses(conference), "the call is recorded from its start");

        sim.advance(10);
        Agent.Answer paused = agent.post("/calls/" + call.task() + "/recording", Map.of("action", "pause"));
        assertEquals(200, paused.status(), paused.body().toString());
        assertEquals("paused", paused.body().path("recording").path("status").asText(), paused.body().toString());
        assertEquals("agent", paused.body().path("recording").path("pausedBy").asText());
        assertEquals(List.of(Recording.Status.PAUSED), statuses(conference));

        sim.clearRequests();
        Agent.Answer again = agent.post("/calls/" + call.task() + "/recording", Map.of("action", "pause"));
        assertEquals(200, again.status(), again.body().toString());
        assertEquals("paused", again.body().path("recording").path("status").asText());
        assertEquals(List.of(), requests("POST", ".*/Recordings/.*"), "the recording is paused already: only looked at");

        sim.advance(20);
        Agent.Answer resumed = agent.post("/calls/" + call.task() + "/recording", Map.of("action", "resume"));
        assertEquals(200, resumed.status(), resumed.body().toString());
        assertEquals(List.of(Recording.Status.IN_PROGRESS), statuses(conference));
        JsonNode view = agent.get("/calls/" + call.task()).body();
        assertEquals("in-progress", view.path("recording").path("status").asText(), view.toString());
        assertEquals(Set.of(call.agent()), sim.hears(customer), "the recording is all that changed");

        sim.advance(5);
        hangUp(customer);
        Recording done = only(conference);
        assertEquals(Recording.Status.COMPLETED, done.getStatus());
        assertEquals("15", done.getDuration(), "ten seconds before the pause, five after it; the pause is skipped");
        finishWrapUp();
    }

    @Test
    void holdingTheCustomerPausesTheRecordingAndTakingThemOffHoldResumesIt() {
        String customer = "+14155550182";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        String conference = agent.get("/calls/" + call.task()).body().path("conferenceSid").asText();

        assertEquals(200, agent.post("/calls/" + call.task() + "/hold", Map.of("hold", true)).status());
        assertEquals(List.of(Recording.Status.PAUSED), statuses(conference));
        JsonNode view = agent.get("/calls/" + call.task()).body();
        assertEquals("hold", view.path("recording").path("pausedBy").asText(), view.toString());

        assertEquals(200, agent.post("/calls/" + call.task() + "/hold", Map.of("hold", false)).status());
        assertEquals(List.of(Recording.Status.IN_PROGRESS), statuses(conference));
        hangUp(customer);
        finishWrapUp();
    }

    @Test
    void theAgentsPauseOutlastsAHold() {
        String customer = "+14155550183";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        String conference = agent.get("/calls/" + call.task()).body().path("conferenceSid").asText();
        assertEquals(200, agent.post("/calls/" + call.task() + "/recording", Map.of("action", "pause")).status());
        assertEquals(200, agent.post("/calls/" + call.task() + "/hold", Map.of("hold", true)).status());
        assertEquals(200, agent.post("/calls/" + call.task() + "/hold", Map.of("hold", false)).status());
        assertEquals(List.of(Recording.Status.PAUSED), statuses(conference), "the card number is still being read");
        assertEquals("agent", agent.get("/calls/" + call.task()).body().path("recording").path("pausedBy").asText());
        hangUp(customer);
        finishWrapUp();
    }

    @Test
    void theWatchdogTakingTheCustomerOffHoldResumesTheRecording() {
        String customer = "+14155550184";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        String conference = agent.get("/calls/" + call.task()).body().path("conferenceSid").asText();
        assertEquals(200, agent.post("/calls/" + call.task() + "/hold", Map.of("hold", true)).status());
        assertEquals(List.of(Recording.Status.PAUSED), statuses(conference));

        sim.advance(MAX_HOLD_SECONDS + 2 * RECONCILE_PERIOD_SECONDS);
        assertEquals(Set.of(call.agent()), sim.hears(customer), "the watchdog took the customer off hold");
        assertEquals(List.of(Recording.Status.IN_PROGRESS), statuses(conference));
        hangUp(customer);
        finishWrapUp();
    }

    @Test
    void aResumeTheProductNeverHeardOfResumesTheRecordingWhenTheReconcilerFindsIt() {
        String customer = "+14155550187";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        JsonNode view = agent.get("/calls/" + call.task()).body();
        String conference = view.path("conferenceSid").asText();
        assertEquals(200, agent.post("/calls/" + call.task() + "/hold", Map.of("hold", true)).status());
        assertEquals(List.of(Recording.Status.PAUSED), statuses(conference));

        // The customer is taken off hold outside the product, and Twilio's participant-unhold is lost.
        sim.addFault(Map.of("webhook", "^/twilio/conference-events$", "nth", 1, "times", 1, "drop", true));
        Participant.updater(conference, view.path("customer").path("callSid").asText()).setHold(false).update(twilio);
        sim.clearFaults();
        assertEquals(Set.of(call.agent()), sim.hears(customer));
        assertEquals(List.of(Recording.Status.PAUSED), statuses(conference), "nothing told the product yet");

        sim.advance(2 * RECONCILE_PERIOD_SECONDS);
        assertEquals(List.of(Recording.Status.IN_PROGRESS), statuses(conference), "the reconciler's repair resumed it");
        assertEquals("in-progress", agent.get("/calls/" + call.task()).body().path("recording").path("status").asText());
        hangUp(customer);
        finishWrapUp();
    }

    @Test
    void aTransferTargetJoiningResumesTheRecordingPausedForTheTransfersHold() {
        String customer = "+14155550185";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        String conference = agent.get("/calls/" + call.task()).body().path("conferenceSid").asText();
        Agent.Answer started = agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
        assertEquals(202, started.status(), started.body().toString());
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        assertEquals(List.of(Recording.Status.PAUSED), statuses(conference), "the transfer's hold pauses the recording");

        sim.answer(sim.ringing("carol"));
        assertEquals(Set.of("carol"), sim.hears(customer));
        assertEquals(List.of(Recording.Status.IN_PROGRESS), statuses(conference), "carol joining took the customer off hold");
        hangUp(customer);
        finishWrapUp();
    }

    @Test
    void aCallWhoseRecordingEndedIsAConflictAndOnlyTheConnectedAgentMayAsk() {
        String customer = "+14155550186";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        String conference = agent.get("/calls/" + call.task()).body().path("conferenceSid").asText();

        Agent.Answer bad = agent.post("/calls/" + call.task() + "/recording", Map.of("action", "stop"));
        assertEquals(400, bad.status(), bad.body().toString());
        Agent.Answer other = signIn(call.other()).post("/calls/" + call.task() + "/recording", Map.of("action", "pause"));
        assertEquals(403, other.status(), other.body().toString());

        Recording.updater(conference, only(conference).getSid(), Recording.Status.STOPPED).update(twilio);
        Agent.Answer none = agent.post("/calls/" + call.task() + "/recording", Map.of("action", "pause"));
        assertEquals(409, none.status(), none.body().toString());
        assertEquals("no_recording", none.body().path("error").path("code").asText(), none.body().toString());
        assertEquals("none", agent.get("/calls/" + call.task()).body().path("recording").path("status").asText());
        hangUp(customer);
        finishWrapUp();
    }

    private static List<Recording.Status> statuses(String conference) {
        return recordings(conference).stream().map(Recording::getStatus).toList();
    }

    private static Recording only(String conference) {
        List<Recording> all = recordings(conference);
        assertEquals(1, all.size(), all.toString());
        return all.get(0);
    }

    private static List<Recording> recordings(String conference) {
        return StreamSupport.stream(Recording.reader(conference).read(twilio).spliterator(), false).toList();
    }
}
