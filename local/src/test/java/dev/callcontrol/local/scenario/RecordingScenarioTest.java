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
        Answered call = answered(customer);
        assertEquals(List.of(Recording.Status.IN_PROGRESS), statuses(call.conference()), "the call is recorded from its start");

        sim.advance(10);
        Agent.Answer paused = call.post("/recording", Map.of("action", "pause"));
        assertEquals(200, paused.status(), paused.body().toString());
        assertEquals("paused", paused.body().path("recording").path("status").asText(), paused.body().toString());
        assertEquals("agent", paused.body().path("recording").path("pausedBy").asText());
        assertEquals(List.of(Recording.Status.PAUSED), statuses(call.conference()));

        sim.clearRequests();
        Agent.Answer again = call.post("/recording", Map.of("action", "pause"));
        assertEquals(200, again.status(), again.body().toString());
        assertEquals("paused", again.body().path("recording").path("status").asText());
        assertEquals(List.of(), requests("POST", ".*/Recordings/.*"), "the recording is paused already: only looked at");

        sim.advance(20);
        Agent.Answer resumed = call.post("/recording", Map.of("action", "resume"));
        assertEquals(200, resumed.status(), resumed.body().toString());
        assertEquals(List.of(Recording.Status.IN_PROGRESS), statuses(call.conference()));
        JsonNode view = call.view();
        assertEquals("in-progress", view.path("recording").path("status").asText(), view.toString());
        assertEquals(Set.of(call.agent()), sim.hears(customer), "the recording is all that changed");

        sim.advance(5);
        hangUp(customer);
        Recording done = only(call.conference());
        assertEquals(Recording.Status.COMPLETED, done.getStatus());
        assertEquals("15", done.getDuration(), "ten seconds before the pause, five after it; the pause is skipped");
        finishWrapUp();
    }

    @Test
    void holdingTheCustomerPausesTheRecordingAndTakingThemOffHoldResumesIt() {
        String customer = "+14155550182";
        Answered call = heldWithTheRecordingPaused(customer);
        JsonNode view = call.view();
        assertEquals("hold", view.path("recording").path("pausedBy").asText(), view.toString());

        assertEquals(200, call.post("/hold", Map.of("hold", false)).status());
        assertEquals(List.of(Recording.Status.IN_PROGRESS), statuses(call.conference()));
        hangUp(customer);
        finishWrapUp();
    }

    @Test
    void theAgentsPauseOutlastsAHold() {
        String customer = "+14155550183";
        Answered call = answered(customer);
        assertEquals(200, call.post("/recording", Map.of("action", "pause")).status());
        assertEquals(200, call.post("/hold", Map.of("hold", true)).status());
        assertEquals(200, call.post("/hold", Map.of("hold", false)).status());
        assertEquals(List.of(Recording.Status.PAUSED), statuses(call.conference()), "the card number is still being read");
        assertEquals("agent", call.view().path("recording").path("pausedBy").asText());
        hangUp(customer);
        finishWrapUp();
    }

    @Test
    void theWatchdogTakingTheCustomerOffHoldResumesTheRecording() {
        String customer = "+14155550184";
        Answered call = heldWithTheRecordingPaused(customer);

        sim.advance(MAX_HOLD_SECONDS + 2 * RECONCILE_PERIOD_SECONDS);
        assertEquals(Set.of(call.agent()), sim.hears(customer), "the watchdog took the customer off hold");
        assertEquals(List.of(Recording.Status.IN_PROGRESS), statuses(call.conference()));
        hangUp(customer);
        finishWrapUp();
    }

    @Test
    void aResumeTheProductNeverHeardOfResumesTheRecordingWhenTheReconcilerFindsIt() {
        String customer = "+14155550187";
        Answered call = heldWithTheRecordingPaused(customer);

        // The customer is taken off hold outside the product, and Twilio's participant-unhold is lost.
        sim.addFault(Map.of("webhook", "^/twilio/conference-events$", "nth", 1, "times", 1, "drop", true));
        Participant.updater(call.conference(), call.first().path("customer").path("callSid").asText()).setHold(false).update(twilio);
        sim.clearFaults();
        assertEquals(Set.of(call.agent()), sim.hears(customer));
        assertEquals(List.of(Recording.Status.PAUSED), statuses(call.conference()), "nothing told the product yet");

        sim.advance(2 * RECONCILE_PERIOD_SECONDS);
        assertEquals(List.of(Recording.Status.IN_PROGRESS), statuses(call.conference()), "the reconciler's repair resumed it");
        assertEquals("in-progress", call.view().path("recording").path("status").asText());
        hangUp(customer);
        finishWrapUp();
    }

    @Test
    void aTransferTargetJoiningResumesTheRecordingPausedForTheTransfersHold() {
        String customer = "+14155550185";
        Answered call = answered(customer);
        Agent.Answer started = call.post("/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
        assertEquals(202, started.status(), started.body().toString());
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        assertEquals(List.of(Recording.Status.PAUSED), statuses(call.conference()), "the transfer's hold pauses the recording");

        sim.answer(sim.ringing("carol"));
        assertEquals(Set.of("carol"), sim.hears(customer));
        assertEquals(List.of(Recording.Status.IN_PROGRESS), statuses(call.conference()), "carol joining took the customer off hold");
        hangUp(customer);
        finishWrapUp();
    }

    @Test
    void aCallWhoseRecordingEndedIsAConflictAndOnlyTheConnectedAgentMayAsk() {
        String customer = "+14155550186";
        Answered call = answered(customer);

        Agent.Answer bad = call.post("/recording", Map.of("action", "stop"));
        assertEquals(400, bad.status(), bad.body().toString());
        Agent.Answer other = signIn(call.connected().other()).post("/calls/" + call.connected().task() + "/recording", Map.of("action", "pause"));
        assertEquals(403, other.status(), other.body().toString());

        Recording.updater(call.conference(), only(call.conference()).getSid(), Recording.Status.STOPPED).update(twilio);
        Agent.Answer none = call.post("/recording", Map.of("action", "pause"));
        assertEquals(409, none.status(), none.body().toString());
        assertEquals("no_recording", none.body().path("error").path("code").asText(), none.body().toString());
        assertEquals("none", call.view().path("recording").path("status").asText());
        hangUp(customer);
        finishWrapUp();
    }

    /**
     * A customer's call connected to an agent who is signed in, with the call's view as that agent
     * first read it.
     */
    private record Answered(Connected connected, Agent signedIn, JsonNode first) {
        /** The worker who answered. */
        String agent() {
            return connected.agent();
        }

        String conference() {
            return first.path("conferenceSid").asText();
        }

        /** The answering agent's request to one of the call's routes, such as {@code /hold}. */
        Agent.Answer post(String route, Map<String, ?> body) {
            return signedIn.post("/calls/" + connected.task() + route, body);
        }

        /** The call's view as the answering agent reads it now. */
        JsonNode view() {
            return signedIn.get("/calls/" + connected.task()).body();
        }
    }

    private static Answered answered(String customer) {
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        return new Answered(call, agent, agent.get("/calls/" + call.task()).body());
    }

    /** An answered call whose agent has held the customer, which paused the recording. */
    private static Answered heldWithTheRecordingPaused(String customer) {
        Answered call = answered(customer);
        assertEquals(200, call.post("/hold", Map.of("hold", true)).status());
        assertEquals(List.of(Recording.Status.PAUSED), statuses(call.conference()));
        return call;
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
