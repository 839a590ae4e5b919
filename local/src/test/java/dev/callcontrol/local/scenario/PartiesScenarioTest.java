package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.local.Agent;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parties added to a live call ({@code POST /calls/{taskSid}/participants}): a number and workers
 * join without the customer being held, everyone hears everyone, {@code MAX_PARTIES} (6) refuses
 * the next, an added party is removed, and the call survives, or ends, as docs/decisions.md says
 * when the agent leaves with a party still on.
 */
class PartiesScenarioTest extends CallCentreScenario {
    @AfterEach
    void nobodyLeftOnThePhone() {
        resetCallCentre(sim, twilio);
    }

    private static String path(Connected call) {
        return "/calls/" + call.task() + "/participants";
    }

    private static Agent.Answer add(Agent agent, Connected call, String kind, String to) {
        return agent.post(path(call), Map.of("to", Map.of(kind, to)));
    }

    private static JsonNode party(Agent agent, Connected call, String partyId) {
        for (JsonNode party : agent.get("/calls/" + call.task()).body().path("parties")) {
            if (party.path("partyId").asText().equals(partyId)) {
                return party;
            }
        }
        throw new AssertionError("the call view has no party " + partyId);
    }

    @Test
    void aThirdPartyJoinsWithoutHoldingTheCustomerAndIsRemoved() {
        String customer = "+14155550601";
        String external = "+14155550971";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        Agent.Answer added = add(agent, call, "number", external);
        assertEquals(201, added.status(), added.body().toString());
        assertEquals("ringing", added.body().path("state").asText());
        assertEquals(Set.of(call.agent()), sim.hears(customer), "the customer is not held while the number rings");
        JsonNode created = requests("POST", ".*/Participants\\.json").get(0);
        assertTrue(created.path("parameters").path("Label").path(0).asText().startsWith("party:"), created.toString());
        assertEquals("3600", created.path("parameters").path("TimeLimit").path(0).asText(), "EXTERNAL_CALL_TIME_LIMIT_SECONDS");

        sim.answer(sim.ringing(external));
        assertEquals(Set.of(call.agent(), external), sim.hears(customer));
        assertEquals(Set.of(customer, external), sim.hears(call.agent()));
        assertEquals(Set.of(customer, call.agent()), sim.hears(external));
        String partyId = added.body().path("partyId").asText();
        JsonNode joined = party(agent, call, partyId);
        assertEquals("joined", joined.path("state").asText(), joined.toString());
        String leg = joined.path("callSid").asText();
        JsonNode view = agent.get("/calls/" + call.task()).body();
        assertTrue(view.path("participants").toString().contains("\"role\":\"party\""), view.toString());

        String customerLeg = sim.liveCall(customer).path("callSid").asText();
        Agent.Answer customerRemoved = agent.delete(path(call) + "/" + customerLeg);
        assertEquals(409, customerRemoved.status(), customerRemoved.body().toString());
        assertEquals("customer_not_removable", customerRemoved.body().path("error").path("code").asText(), customerRemoved.body().toString());
        Agent.Answer stranger = agent.delete(path(call) + "/CA" + "0".repeat(31) + "9");
        assertEquals(404, stranger.status(), stranger.body().toString());
        assertEquals(400, agent.delete(path(call) + "/not-a-call").status());

        Agent.Answer removed = agent.delete(path(call) + "/" + leg);
        assertEquals(200, removed.status(), removed.body().toString());
        assertNull(sim.liveCall(external), "the number is off the call");
        assertEquals(Set.of(call.agent()), sim.hears(customer));
        JsonNode left = party(agent, call, partyId);
        assertEquals("left", left.path("state").asText(), left.toString());
        assertEquals("removed", left.path("reason").asText(), left.toString());
        assertEquals(call.agent().equals("alice") ? DemoWorkspace.ALICE : DemoWorkspace.BOB, left.path("removedBy").asText());
        assertEquals(200, agent.delete(path(call) + "/" + leg).status(), "removing a party that left is done already");
        hangUp(customer);
    }

    @Test
    void sixPartiesHearEachOtherAndTheSeventhIsRefused() {
        String customer = "+14155550602";
        List<String> numbers = List.of("+14155550972", "+14155550973", "+14155550974");
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        String otherSid = call.other().equals("alice") ? DemoWorkspace.ALICE : DemoWorkspace.BOB;

        Agent.Answer other = add(agent, call, "worker", otherSid);
        assertEquals(201, other.status(), other.body().toString());
        assertEquals(Set.of(call.agent()), sim.hears(customer), "nobody is held while the worker's phone rings");
        sim.answer(sim.ringing(call.other()));
        Agent.Answer carol = add(agent, call, "worker", DemoWorkspace.CAROL);
        assertEquals(201, carol.status(), carol.body().toString());
        sim.answer(sim.ringing("carol"));
        for (String number : numbers.subList(0, 2)) {
            Agent.Answer added = add(agent, call, "number", number);
            assertEquals(201, added.status(), added.body().toString());
            sim.answer(sim.ringing(number));
        }
        Set<String> everyone = Set.of(customer, call.agent(), call.other(), "carol", numbers.get(0), numbers.get(1));
        for (String party : everyone) {
            Set<String> others = new java.util.TreeSet<>(everyone);
            others.remove(party);
            assertEquals(others, sim.hears(party), party + " hears everyone else");
        }
        assertEquals("assigned", task(other.body().path("taskSid").asText()).path("assignment_status").asText(), "the added worker's task is theirs");
        JsonNode seenByCarol = signIn("carol").get("/calls/" + call.task()).body();
        assertEquals(4, seenByCarol.path("parties").size(), "an added worker sees the call and its parties: " + seenByCarol);

        Agent.Answer seventh = add(agent, call, "number", numbers.get(2));
        assertEquals(409, seventh.status(), seventh.body().toString());
        assertEquals("too_many_parties", seventh.body().path("error").path("code").asText(), seventh.body().toString());
        assertNull(sim.liveCall(numbers.get(2)), "nothing was dialled");
        // The supervisor is no party: monitoring a full call is allowed, and nobody hears them.
        assertEquals(200, signIn("sam").post("/calls/" + call.task() + "/supervisor", Map.of("mode", "monitor")).status());
        sim.answer(sim.ringing("sam"));
        assertEquals(everyone.stream().filter(p -> !p.equals(customer)).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)),
                sim.hears(customer), "the customer does not hear the supervisor");

        // An added worker removes one of the numbers; there is room again.
        String leg = sim.liveCall(numbers.get(0)).path("callSid").asText();
        assertEquals(200, signIn("carol").delete(path(call) + "/" + leg).status());
        assertNull(sim.liveCall(numbers.get(0)));
        Agent.Answer again = add(agent, call, "number", numbers.get(2));
        assertEquals(201, again.status(), again.body().toString());
        hangUp(customer);
        assertEquals("wrapping", task(carol.body().path("taskSid").asText()).path("assignment_status").asText(), "the call's end wraps the added worker's task");
    }

    @Test
    void theAgentLeavingWithAnAddedWorkerOnHandsThemTheCall() {
        String customer = "+14155550603";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        assertEquals(201, add(agent, call, "worker", DemoWorkspace.CAROL).status());
        sim.answer(sim.ringing("carol"));
        assertEquals(201, add(agent, call, "number", "+14155550975").status());
        sim.answer(sim.ringing("+14155550975"));
        hangUp(call.agent());
        assertEquals(Set.of("carol", "+14155550975"), sim.hears(customer), "the customer stays with the added worker");
        assertEquals("wrapping", task(call.task()).path("assignment_status").asText(), "the agent who left wraps up");
        Agent carolAgent = signIn("carol");
        Agent.Answer hold = carolAgent.post("/calls/" + call.task() + "/hold", Map.of("hold", true));
        assertEquals(200, hold.status(), "carol now has the call: " + hold.body());
        assertEquals(Set.of(HOLD_MUSIC), sim.hears(customer));
        assertEquals(200, carolAgent.post("/calls/" + call.task() + "/hold", Map.of("hold", false)).status());
        // Carol leaves too: only the external number would be left with the customer, so the call ends for everyone.
        hangUp("carol");
        assertNull(sim.liveCall(customer), "the customer is not left with only an outside number");
        assertNull(sim.liveCall("+14155550975"));
    }

    @Test
    void theLastAgentLeavingWithOnlyANumberOnEndsTheCall() {
        String customer = "+14155550604";
        String external = "+14155550976";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        Agent.Answer added = add(agent, call, "number", external);
        sim.answer(sim.ringing(external));
        hangUp(call.agent());
        assertNull(sim.liveCall(customer), "the call ended for everyone");
        assertNull(sim.liveCall(external));
        JsonNode party = party(signIn("sam"), call, added.body().path("partyId").asText());
        assertEquals("left", party.path("state").asText(), party.toString());
        assertEquals("call_ended", party.path("reason").asText(), party.toString());
    }

    @Test
    void aWorkerWhoNeverAnswersLeavesNothingPending() {
        String customer = "+14155550605";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        Agent.Answer added = add(agent, call, "worker", DemoWorkspace.CAROL);
        assertEquals(201, added.status(), added.body().toString());
        String partyTask = added.body().path("taskSid").asText();
        sim.ringing("carol");
        sim.advance(150);
        assertNull(sim.liveCall("carol"), "carol's phone stopped ringing");
        assertEquals("canceled", task(partyTask).path("assignment_status").asText(), "the party's task is withdrawn");
        JsonNode party = party(agent, call, added.body().path("partyId").asText());
        assertEquals("unanswered", party.path("state").asText(), party.toString());
        assertEquals(Set.of(call.agent()), sim.hears(customer));
        Agent.Answer again = add(agent, call, "worker", DemoWorkspace.CAROL);
        assertEquals(201, again.status(), "carol may be asked again: " + again.body());
        // Removed while ringing, by the task it rings through.
        String ringingTask = again.body().path("taskSid").asText();
        Agent.Answer removed = agent.delete(path(call) + "/" + ringingTask);
        assertEquals(200, removed.status(), removed.body().toString());
        assertEquals("removed", removed.body().path("reason").asText(), removed.body().toString());
        assertEquals("canceled", task(ringingTask).path("assignment_status").asText());
        hangUp(customer);
    }

    @Test
    void badInputAndCallersNotOnTheCallAreRefused() {
        String customer = "+14155550606";
        Connected call = connect(customer);
        Agent agent = signIn(call.agent());
        for (Object body : List.of(Map.of(), Map.of("to", Map.of("queue", "sales")), Map.of("to", Map.of("number", "12")),
                Map.of("to", Map.of("fax", "+14155550977")), Map.of("to", "+14155550977"))) {
            Agent.Answer refused = agent.post(path(call), body);
            assertEquals(400, refused.status(), body + ": " + refused.body());
            assertTrue(refused.body().has("error"), refused.body().toString());
        }
        String self = call.agent().equals("alice") ? DemoWorkspace.ALICE : DemoWorkspace.BOB;
        Agent.Answer themselves = add(agent, call, "worker", self);
        assertEquals(409, themselves.status(), "an agent cannot add themselves: " + themselves.body());
        assertEquals("already_on_call", themselves.body().path("error").path("code").asText());
        Agent.Answer premium = add(agent, call, "number", "+19005550100");
        assertEquals(403, premium.status(), "the toll-fraud deny-list: " + premium.body());
        assertEquals("destination_not_allowed", premium.body().path("error").path("code").asText());

        assertEquals(403, add(signIn(call.other()), call, "number", "+14155550978").status(), "another agent is not on the call");
        assertEquals(403, add(signIn("sam"), call, "number", "+14155550978").status(), "a supervisor adds nobody");
        Agent.Answer added = add(agent, call, "number", "+14155550978");
        sim.answer(sim.ringing("+14155550978"));
        String leg = party(agent, call, added.body().path("partyId").asText()).path("callSid").asText();
        assertEquals(403, signIn(call.other()).delete(path(call) + "/" + leg).status(), "another agent removes nobody");
        Agent.Answer transfer = agent.post("/calls/" + call.task() + "/warm-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
        assertEquals(409, transfer.status(), transfer.body().toString());
        assertEquals("parties_on_call", transfer.body().path("error").path("code").asText());
        hangUp(customer);
    }
}
