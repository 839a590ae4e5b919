package dev.callcontrol.local.scenario;

import dev.callcontrol.local.Agent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cold transfer in the blueprint's order (hold, new task, agent leaves, their task wraps), proven
 * by what each person hears after every step and by what TaskRouter knows.
 */
class ColdTransferScenarioTest extends CallCentreScenario {

    @Test
    void coldTransferToAWorkerHandsTheCustomerOverAndTakesThemOffHoldWhenTheTargetAnswers() {
        String customer = "+14155550121";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());

        sim.clearRequests();
        Agent.Answer started = agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
        assertEquals(202, started.status(), started.body().toString());
        JsonNode transfer = started.body().path("transfer");
        assertEquals("routing", transfer.path("state").asText());
        assertEquals("worker", transfer.path("target").asText());
        String transferTask = transfer.path("taskSid").asText();

        // The customer waits on hold music; the agent has left and their task is in wrap-up.
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        assertNull(sim.liveCall(call.agent()), "the transferring agent's leg was removed");
        assertEquals("wrapping", task(call.task()).path("assignment_status").asText());
        JsonNode attributes = Json.parse(task(transferTask).path("attributes").asText(), "attributes");
        assertEquals(DemoWorkspace.CAROL, attributes.path("requested_agent").asText());
        assertEquals(call.task(), attributes.path("transfer").path("call_task_sid").asText());
        assertEquals(sim.liveCall(customer).path("conferenceSid").asText(), attributes.path("transfer").path("conference_sid").asText());
        List<String> calls = restCalls();
        assertEquals(4, calls.size(), calls.toString());
        assertEquals(Set.of("POST Participants/hold", "POST Tasks"), Set.copyOf(calls.subList(0, 2)), "first the hold and the new task: " + calls);
        assertEquals(Set.of("DELETE Participants", "POST Tasks/update"), Set.copyOf(calls.subList(2, 4)), "then the agent leaves and wraps: " + calls);

        // Carol's phone rings (the call instruction); when she answers she joins the call's conference.
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer), "still music while the target's phone rings");
        sim.answer(sim.ringing("carol"));
        assertEquals(Set.of("carol"), sim.hears(customer), "the target's join took the customer off hold");
        assertEquals(Set.of(customer), sim.hears("carol"));
        assertEquals("assigned", task(transferTask).path("assignment_status").asText());
        assertEquals(DemoWorkspace.CAROL, task(transferTask).path("reservations").get(0).path("worker_sid").asText());

        Agent carol = signIn("carol");
        JsonNode view = carol.get("/calls/" + call.task()).body();
        assertEquals(DemoWorkspace.CAROL, view.path("agent").path("workerSid").asText());
        assertTrue(view.path("transfer").isMissingNode(), "no transfer pending: " + view);
        assertEquals(false, view.path("hold").asBoolean());
        assertEquals(200, carol.get("/calls/" + transferTask).status(), "the transfer task's SID reaches the same call");
        assertEquals(403, agent.post("/calls/" + call.task() + "/hold", Map.of("hold", true)).status(), "the first agent is no longer on the call");
        assertEquals(200, carol.post("/calls/" + transferTask + "/hold", Map.of("hold", true)).status(), "the new agent controls the call");
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        assertEquals(200, carol.post("/calls/" + call.task() + "/hold", Map.of("hold", false)).status());
        assertEquals(Set.of("carol"), sim.hears(customer));

        // The customer hangs up: the conference ends and carol's task moves to wrap-up.
        hangUp(customer);
        assertNull(sim.liveCall("carol"));
        assertEquals("wrapping", task(transferTask).path("assignment_status").asText());
    }

    @Test
    void coldTransferToAQueueGoesToAnAgentOfThatQueue() {
        String customer = "+14155550122";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());

        Agent.Answer started = agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("queue", "sales")));
        assertEquals(202, started.status(), started.body().toString());
        String transferTask = started.body().path("transfer").path("taskSid").asText();
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        JsonNode attributes = Json.parse(task(transferTask).path("attributes").asText(), "attributes");
        assertEquals("sales", attributes.path("desired_queue").asText());
        assertEquals("sales", task(transferTask).path("task_queue_friendly_name").asText());

        // Bob (sales and support) may be the transferring agent and so busy with wrap-up; carol is sales too.
        String salesAgent = sim.liveCall("bob") != null && !call.agent().equals("bob") ? "bob" : "carol";
        sim.answer(sim.ringing(salesAgent));
        assertEquals(Set.of(salesAgent), sim.hears(customer));
        assertEquals(Set.of(customer), sim.hears(salesAgent));
        hangUp(customer);
        assertEquals("wrapping", task(transferTask).path("assignment_status").asText());
    }

    @Test
    void aTargetWhoDeclinesLeavesTheCustomerOnHoldAndBackInTheirQueueWithRaisedPriority() {
        String customer = "+14155550123";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());

        Agent.Answer started = agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
        assertEquals(202, started.status(), started.body().toString());
        String transferTask = started.body().path("transfer").path("taskSid").asText();

        sim.decline(sim.ringing("carol"));
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer), "the customer is not stranded: music, not silence");
        assertEquals("canceled", task(transferTask).path("assignment_status").asText());
        JsonNode view = signIn("sam").get("/calls/" + call.task()).body();
        assertEquals("queue", view.path("transfer").path("target").asText(), view.toString());
        assertEquals("support", view.path("transfer").path("to").asText());
        assertEquals(1, view.path("transfer").path("requeues").asInt());
        String requeued = view.path("transfer").path("taskSid").asText();
        assertEquals(20, task(requeued).path("priority").asInt());

        // The other support agent is free (the first is in wrap-up) and takes the call.
        sim.answer(sim.ringing(call.other()));
        assertEquals(Set.of(call.other()), sim.hears(customer));
        assertEquals(Set.of(customer), sim.hears(call.other()));
        hangUp(customer);
    }

    @Test
    void aTargetWhoNeverAnswersLeavesTheCustomerOnHoldAndBackInTheirQueue() {
        String customer = "+14155550124";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        assertEquals(202, agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL))).status());
        sim.ringing("carol");
        sim.advance(30);
        assertNull(sim.liveCall("carol"), "carol's phone stopped ringing");
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        sim.answer(sim.ringing(call.other()));
        assertEquals(Set.of(call.other()), sim.hears(customer));
        hangUp(customer);
    }

    @Test
    void theCustomerHangingUpDuringTheTransferCancelsIt() {
        String customer = "+14155550125";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        Agent.Answer started = agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
        String transferTask = started.body().path("transfer").path("taskSid").asText();
        sim.ringing("carol");
        hangUp(customer);
        assertEquals("canceled", task(transferTask).path("assignment_status").asText());
        assertNull(sim.liveCall("carol"), "canceling the task stopped carol's phone");
        assertEquals("wrapping", task(call.task()).path("assignment_status").asText());
    }

    @Test
    void aTransferTaskCanceledWhileTheCustomerWaitsPutsThemBackInTheirQueue() {
        String customer = "+14155550130";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        sim.setActivity(DemoWorkspace.CAROL, DemoWorkspace.UNAVAILABLE);
        sim.setActivity(DemoWorkspace.BOB, DemoWorkspace.UNAVAILABLE);
        Agent.Answer started = agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("queue", "sales")));
        String transferTask = started.body().path("transfer").path("taskSid").asText();
        assertEquals("pending", task(transferTask).path("assignment_status").asText(), "nobody in sales is available");

        // The transfer task is canceled (its TTL, or an administrator): TaskRouter's event brings the customer back.
        com.twilio.rest.taskrouter.v1.workspace.Task.updater(DemoWorkspace.WORKSPACE_SID, transferTask)
                .setAssignmentStatus(com.twilio.rest.taskrouter.v1.workspace.Task.Status.CANCELED).setReason("Task TTL Exceeded").update(twilio);
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        JsonNode view = signIn("sam").get("/calls/" + call.task()).body();
        assertEquals("support", view.path("transfer").path("to").asText(), view.toString());
        assertEquals(1, view.path("transfer").path("requeues").asInt());
        sim.setActivity(WORKERS.get(call.other()), DemoWorkspace.AVAILABLE);
        sim.answer(sim.ringing(call.other()));
        assertEquals(Set.of(call.other()), sim.hears(customer));
        hangUp(customer);
    }

    @Test
    void aTransferNobodyTakesWithinTheTransferTimeoutPutsTheCustomerBackInTheirQueue() {
        String customer = "+14155550132";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        sim.setActivity(DemoWorkspace.CAROL, DemoWorkspace.UNAVAILABLE);
        sim.setActivity(DemoWorkspace.BOB, DemoWorkspace.UNAVAILABLE);
        Agent.Answer started = agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("queue", "sales")));
        String transferTask = started.body().path("transfer").path("taskSid").asText();
        assertEquals(120, task(transferTask).path("timeout").asInt(), "TRANSFER_TIMEOUT_SECONDS, not TaskRouter's day");

        sim.advance(121);
        assertEquals("canceled", task(transferTask).path("assignment_status").asText());
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        JsonNode view = signIn("sam").get("/calls/" + call.task()).body();
        assertEquals("support", view.path("transfer").path("to").asText(), view.toString());
        assertEquals(1, view.path("transfer").path("requeues").asInt());
        sim.setActivity(WORKERS.get(call.other()), DemoWorkspace.AVAILABLE);
        sim.answer(sim.ringing(call.other()));
        assertEquals(Set.of(call.other()), sim.hears(customer));
        hangUp(customer);
    }

    @Test
    void aQueueTransferThatOneAgentDeclinesGoesToTheQueuesNextAgent() {
        String customer = "+14155550131";
        sim.setActivity(DemoWorkspace.BOB, DemoWorkspace.UNAVAILABLE);
        Connected call = connect(customer);
        assertEquals("alice", call.agent());
        sim.setActivity(DemoWorkspace.BOB, DemoWorkspace.AVAILABLE);
        Agent alice = signIn("alice");
        assertEquals(202, alice.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("queue", "sales"))).status());

        // Both sales agents are free; whoever TaskRouter offers the task to first declines it.
        String first = sim.liveCall("bob") != null ? "bob" : "carol";
        String second = first.equals("bob") ? "carol" : "bob";
        sim.decline(sim.ringing(first));
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer), "still music while the queue's next agent is rung");
        // Whom TaskRouter offers a rejected task to next is not documented (taskrouter.reject.reoffer):
        // the next agent, or the one who declined again; either way the customer reaches whoever answers.
        String next = reading("taskrouter.reject.reoffer").equals("other-workers") || sim.liveCall(first) == null ? second : first;
        sim.answer(sim.ringing(next));
        assertEquals(Set.of(next), sim.hears(customer));
        JsonNode view = signIn(next).get("/calls/" + call.task()).body();
        assertEquals(2, view.path("participants").size(), "the customer and the agent who took the call: " + view);
        hangUp(customer);
    }

    @Test
    void transfersAreRefusedClearly() {
        String customer = "+14155550126";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        Agent other = signIn(call.other());
        String path = "/calls/" + call.task() + "/cold-transfer";

        assertEquals(401, Agent.anonymous(runtime.baseUrl()).post(path, Map.of("to", Map.of("queue", "sales"))).status());
        assertEquals(403, other.post(path, Map.of("to", Map.of("queue", "sales"))).status(), "only the connected agent transfers");
        assertEquals(400, agent.post(path, Map.of("to", "sales")).status());
        assertEquals(400, agent.post(path, Map.of("to", Map.of("queue", "nowhere"))).status());
        assertEquals(400, agent.post(path, Map.of("to", Map.of("worker", "WK0000000000000000000000000000ffff"))).status());
        assertEquals(400, agent.post(path, Map.of("to", Map.of("worker", WORKERS.get(call.agent())))).status(), "not to oneself");
        assertEquals(404, agent.post("/calls/WT0123456789abcdef0123456789abcdef/cold-transfer", Map.of("to", Map.of("queue", "sales"))).status());
        assertEquals(Set.of(call.agent()), sim.hears(customer), "nothing changed");

        assertEquals(202, agent.post(path, Map.of("to", Map.of("worker", DemoWorkspace.CAROL))).status());
        Agent.Answer again = signIn("carol").post(path, Map.of("to", Map.of("queue", "sales")));
        assertEquals(403, again.status(), "carol is not connected until she answers");
        hangUp(customer);
        Agent.Answer ended = agent.post(path, Map.of("to", Map.of("queue", "sales")));
        assertTrue(Set.of(403, 409).contains(ended.status()), ended.toString());
    }

    @Test
    void coldTransferToANumberDialsItIntoTheConferenceAndUnholdsTheCustomerWhenItAnswers() {
        String customer = "+14155550127";
        String external = "+14155550999";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());

        sim.clearRequests();
        Agent.Answer started = agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("number", external)));
        assertEquals(202, started.status(), started.body().toString());
        assertEquals("number", started.body().path("transfer").path("target").asText());
        List<String> calls = restCalls();
        assertEquals(4, calls.size(), calls.toString());
        assertEquals(Set.of("POST Participants/hold", "POST Participants/create"), Set.copyOf(calls.subList(0, 2)), calls.toString());
        assertEquals(Set.of("DELETE Participants", "POST Tasks/update"), Set.copyOf(calls.subList(2, 4)), calls.toString());
        JsonNode created = sim.requests().stream().filter(r -> r.path("method").asText().equals("POST") && r.path("path").asText().endsWith("/Participants.json")).findFirst().orElseThrow();
        assertEquals(DemoWorkspace.PHONE_NUMBER, created.path("parameters").path("From").path(0).asText(), "the caller ID is CALLER_ID");

        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        assertNull(sim.liveCall(call.agent()));
        assertEquals("wrapping", task(call.task()).path("assignment_status").asText());
        sim.answer(sim.ringing(external));
        assertEquals(Set.of(external), sim.hears(customer), "the external party's answer took the customer off hold");
        assertEquals(Set.of(customer), sim.hears(external));

        // The external party hangs up: the customer is not left alone in the conference.
        hangUp(external);
        assertNull(sim.liveCall(customer));
    }

    @Test
    void aBusyNumberPutsTheCustomerBackInTheirQueue() {
        String customer = "+14155550128";
        String external = "+14155550998";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        assertEquals(202, agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("number", external))).status());
        sim.decline(sim.ringing(external));
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer), "the customer is not stranded");
        JsonNode view = signIn("sam").get("/calls/" + call.task()).body();
        assertEquals("queue", view.path("transfer").path("target").asText(), view.toString());
        assertEquals(1, view.path("transfer").path("requeues").asInt());
        sim.answer(sim.ringing(call.other()));
        assertEquals(Set.of(call.other()), sim.hears(customer));
        hangUp(customer);
    }

    @ParameterizedTest
    @CsvSource({"after-status-callback, no-answer, +14155550411", "before-status-callback, no-answer, +14155550412",
            "before-status-callback, busy, +14155550413", "after-status-callback, failed, +14155550414"})
    void aNumberThatIsNotAnsweredRequeuesTheCustomerOnceWhicheverReportComesFirst(String order, String outcome, String customer) {
        // Twilio reports the unanswered number twice: participant-leave (participant_add_failed) and the leg's status callback.
        sim.selectRule("voice.participant.add-failed-leave-order", order);
        String external = "+14155550962";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        assertEquals(202, agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("number", external))).status());
        assertEquals("false", requests("POST", ".*/Participants\\.json").get(0).path("parameters").path("Beep").path(0).asText());
        sim.clearRequests();
        String ringing = sim.ringing(external);
        switch (outcome) {
            case "busy" -> sim.decline(ringing);
            case "failed" -> sim.fail(ringing);
            default -> sim.advance(30);
        }
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer), "the customer is not stranded: music, back in their queue");
        assertEquals(1, requests("POST", ".*/Tasks$").size(), "one task puts the customer back in their queue: " + sim.requests());
        JsonNode view = signIn("sam").get("/calls/" + call.task()).body();
        assertEquals("queue", view.path("transfer").path("target").asText(), view.toString());
        assertEquals(1, view.path("transfer").path("requeues").asInt());
        sim.answer(sim.ringing(call.other()));
        assertEquals(Set.of(call.other()), sim.hears(customer));
        hangUp(customer);
    }

    @ParameterizedTest
    @ValueSource(strings = {"participant-updated-via-api", "participant-hung-up"})
    void theTransferringAgentsRemovalUnderEitherReadingLeavesTheCustomerWaitingForTheTarget(String variant) {
        sim.selectRule("voice.conference.leave-reason.participant-removed", variant);
        String customer = variant.endsWith("api") ? "+14155550415" : "+14155550416";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        sim.clearRequests();
        assertEquals(202, agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL))).status());
        assertNull(sim.liveCall(call.agent()));
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer), "the agent leaving with a transfer pending does not end the call");
        assertEquals(List.of(), requests("POST", ".*/Conferences/CF[0-9a-fA-F]{32}\\.json"));
        sim.answer(sim.ringing("carol"));
        assertEquals(Set.of("carol"), sim.hears(customer));
        hangUp(customer);
    }

    @Test
    void numbersOutsideTheAllowedPrefixesAreRefused() {
        String customer = "+14155550129";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        Agent.Answer refused = agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("number", "+442071838750")));
        assertEquals(403, refused.status(), refused.body().toString());
        assertEquals("destination_not_allowed", refused.body().path("error").path("code").asText());
        assertEquals(400, agent.post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("number", "4155550100"))).status());
        assertEquals(Set.of(call.agent()), sim.hears(customer), "nothing changed");
        hangUp(customer);
    }

    /** The REST requests since the last clear, as "METHOD resource" (participant hold vs removal, task create vs update). */
    private static List<String> restCalls() {
        return functionRequests().stream().map(r -> {
            String method = r.path("method").asText();
            String path = r.path("path").asText();
            if (path.endsWith("/Participants.json")) {
                return method + " Participants/create";
            }
            if (path.contains("/Participants/")) {
                return method.equals("DELETE") ? "DELETE Participants" : "POST Participants/hold";
            }
            if (path.matches(".*/Tasks/WT[0-9a-fA-F]{32}$")) {
                return method + " Tasks/update";
            }
            if (path.endsWith("/Tasks")) {
                return method + " Tasks";
            }
            return method + " " + path;
        }).filter(r -> !r.startsWith("GET ")).toList();
    }
}
