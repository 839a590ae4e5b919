package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.local.Agent;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /calls} (issue 21, item 1): an agent lists the calls they are connected to or
 * transferring, as the transferring agent or the target, and no other; a supervisor lists every
 * live call, a page at a time, each as {@code GET /calls/{taskSid}} shows it; a cursor the API
 * did not give, or gave for another listing, is a 400.
 */
class ListCallsScenarioTest extends CallCentreScenario {

    @AfterEach
    void nobodyLeftOnThePhone() {
        resetCallCentre(sim, twilio);
    }

    /** A second customer calls while the first is with {@code first.agent()}: the other agent answers. */
    private static Connected connectAnother(String customer, Connected first) {
        sim.dial(customer, DemoWorkspace.PHONE_NUMBER);
        sim.answer(sim.ringing(first.other()));
        assertEquals(Set.of(first.other()), sim.hears(customer));
        return new Connected(sim.liveCall(customer).path("conference").asText(), first.other(), first.agent());
    }

    /** The task SIDs of the caller's first page (at most 100 calls), failing on any status but 200. */
    private static List<String> tasks(String worker) {
        // The simulator's control API lets its webhooks settle first: the product has heard what Twilio did.
        sim.hearing();
        Agent.Answer answer = signIn(worker).get("/calls?pageSize=100");
        assertEquals(200, answer.status(), answer.body().toString());
        List<String> out = new ArrayList<>();
        answer.body().path("calls").forEach(call -> out.add(call.path("taskSid").asText()));
        return out;
    }

    @Test
    void anAgentSeesTheCallsTheyAreOnAndNoOther() {
        Connected first = connect("+14155550301");
        Connected second = connectAnother("+14155550302", first);
        assertEquals(first.other(), second.agent(), "the second call went to the other support agent");
        assertEquals(List.of(first.task()), tasks(first.agent()));
        assertEquals(List.of(second.task()), tasks(second.agent()));
        assertEquals(List.of(), tasks("carol"), "carol is on no call");

        // The view is GET /calls/{taskSid}'s.
        Agent agent = signIn(first.agent());
        JsonNode listed = agent.get("/calls").body().path("calls").path(0);
        assertEquals(agent.get("/calls/" + first.task()).body(), listed);
        assertEquals(first.agent(), workerName(listed.path("agent").path("workerSid").asText()));
    }

    @Test
    void duringAWarmTransferBothAgentsSeeTheCallAndAfterItOnlyTheTarget() {
        Connected call = connect("+14155550311");
        Agent agent = signIn(call.agent());
        String path = "/calls/" + call.task() + "/warm-transfer";
        assertEquals(201, agent.post(path, Map.of("to", Map.of("worker", DemoWorkspace.CAROL))).status());
        // Carol's phone rings: she is the target already.
        assertEquals(List.of(call.task()), tasks("carol"), "the target, while their phone rings");
        assertEquals(List.of(call.task()), tasks(call.agent()), "the transferring agent");
        assertEquals(List.of(), tasks(call.other()));
        sim.answer(sim.ringing("carol"));
        assertEquals(List.of(call.task()), tasks("carol"), "the target, consulting");
        assertEquals(List.of(call.task()), tasks(call.agent()));
        assertEquals(200, agent.post(path + "/complete", Map.of()).status());
        assertEquals(List.of(), tasks(call.agent()), "the agent who handed the call over is no longer on it");
        assertEquals(List.of(call.task()), tasks("carol"), "the call is carol's now");
        JsonNode listed = signIn("carol").get("/calls").body().path("calls").path(0);
        assertEquals(DemoWorkspace.CAROL, listed.path("agent").path("workerSid").asText(), listed.toString());
    }

    @Test
    void duringAColdTransferTheTransferringAgentAndTheTargetSeeTheCall() {
        Connected call = connect("+14155550321");
        Agent.Answer started = signIn(call.agent()).post("/calls/" + call.task() + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
        assertEquals(202, started.status(), started.body().toString());
        assertEquals(List.of(call.task()), tasks(call.agent()), "the transferring agent, until the target joins");
        assertEquals(List.of(call.task()), tasks("carol"), "the target, while their phone rings");
        assertEquals(List.of(), tasks(call.other()));
        sim.answer(sim.ringing("carol"));
        assertEquals(Set.of("carol"), sim.hears("+14155550321"));
        assertEquals(List.of(), tasks(call.agent()), "the transfer is over");
        assertEquals(List.of(call.task()), tasks("carol"));
    }

    @Test
    void aSupervisorSeesEveryLiveCallAPageAtATime() {
        Connected first = connect("+14155550331");
        Connected second = connectAnother("+14155550332", first);
        Agent sam = signIn("sam");
        Agent.Answer all = sam.get("/calls?pageSize=100");
        assertEquals(200, all.status(), all.body().toString());
        List<String> everything = new ArrayList<>();
        all.body().path("calls").forEach(c -> everything.add(c.path("taskSid").asText()));
        assertTrue(everything.containsAll(List.of(first.task(), second.task())), everything.toString());
        assertTrue(all.body().path("next").isMissingNode(), "one page holds them all, so there is no next: " + all.body());

        // A page of one at a time: the same calls, each once, in the same order.
        List<String> paged = new ArrayList<>();
        Set<String> cursors = new HashSet<>();
        String query = "/calls?pageSize=1";
        for (int pages = 0; pages <= everything.size() + 1; pages++) {
            Agent.Answer page = sam.get(query);
            assertEquals(200, page.status(), page.body().toString());
            assertTrue(page.body().path("calls").size() <= 1, page.body().toString());
            page.body().path("calls").forEach(c -> paged.add(c.path("taskSid").asText()));
            JsonNode next = page.body().path("next");
            if (next.isMissingNode()) {
                break;
            }
            assertTrue(cursors.add(next.asText()), "a cursor leads on: " + next);
            query = "/calls?pageSize=1&cursor=" + next.asText();
        }
        assertEquals(everything, paged);
        // An agent's page is theirs even with a supervisor's page size.
        assertEquals(List.of(first.task()), tasks(first.agent()));
    }

    @Test
    void aCursorTheApiDidNotGiveOrABadPageSizeIsRefused() {
        Connected first = connect("+14155550341");
        connectAnother("+14155550342", first);
        Agent sam = signIn("sam");
        JsonNode page = sam.get("/calls?pageSize=1").body();
        String supervisorsCursor = page.path("next").asText();
        assertTrue(!supervisorsCursor.isEmpty(), page.toString());
        Agent agent = signIn(first.agent());
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(("worker:" + DemoWorkspace.CAROL + ":" + first.task()).getBytes(StandardCharsets.UTF_8));
        for (String cursor : List.of("not%20a%20cursor", "bm9wZQ", "%E2%9C%93", supervisorsCursor, forged)) {
            Agent.Answer refused = agent.get("/calls?cursor=" + cursor);
            assertEquals(400, refused.status(), cursor + ": " + refused.body());
            assertEquals("bad_cursor", refused.body().path("error").path("code").asText(), refused.body().toString());
        }
        assertEquals(400, sam.get("/calls?cursor=" + forged).status(), "an agent's cursor is not a supervisor's");
        for (String size : List.of("0", "101", "ten", "-1", "1000")) {
            Agent.Answer refused = sam.get("/calls?pageSize=" + size);
            assertEquals(400, refused.status(), size + ": " + refused.body());
            assertEquals("bad_request", refused.body().path("error").path("code").asText(), refused.body().toString());
        }
    }

    @Test
    void theHarnessChecksEveryExchangeAgainstTheDescription() {
        int before = agentApi.checked();
        signIn("sam").get("/calls?pageSize=3");
        Agent.anonymous(runtime.baseUrl()).get("/calls");
        signIn("alice").get("/calls?pageSize=0");
        assertEquals(before + 3, agentApi.checked(), "the answer, API Gateway's 401 and the 400 were each checked");
        assertEquals(List.of(), agentApi.takeMismatches());
    }

    private static String workerName(String sid) {
        return WORKERS.entrySet().stream().filter(e -> e.getValue().equals(sid)).map(Map.Entry::getKey).findFirst().orElse(sid);
    }
}
