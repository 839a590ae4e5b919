package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.local.Agent;
import dev.callcontrol.local.sim.DemoWorkspace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Twilio fault policy at every REST step of hold, cold transfer, warm transfer (start and
 * complete) and supervisor join. Each operation first runs clean, which lists its REST steps from
 * the simulator's request log; then each step in turn gets each fault: a 429, no answer before
 * Twilio acted, a 500 after it acted, and no answer after it acted. Whatever the fault:
 * <ul>
 *   <li>the agent gets either the clean run's success or a typed JSON error (409, 502, 503, 504),
 *   never a 500;</li>
 *   <li>nothing is created twice: the operation acts on no more creates than the clean run did,
 *   and no party ever has two live calls;</li>
 *   <li>on success the call ends up as in the clean run; on an error the agent can simply repeat
 *   the request, which then succeeds and ends up as in the clean run (nothing was half-done).</li>
 * </ul>
 */
class FaultInjectionMatrixTest extends CallCentreScenario {
    private static final String EXTERNAL = "+14155550777";
    private static final Pattern SID = Pattern.compile("[A-Z]{2}[0-9a-fA-F]{32}");
    private static final Pattern CREATE = Pattern.compile("(/Tasks|/Calls\\.json|/Participants\\.json)$");
    private static final Set<String> TYPED = Set.of("twilio_refused", "twilio_unavailable", "twilio_rate_limited", "twilio_unreachable", "call_ended");

    /** A connected call and the agent handling it, plus whatever an operation set up. */
    private record Ctx(String customer, Connected call, Agent agent, Map<String, Object> more) {
    }

    /** An operation: how to reach the state it starts from, the request, and how its success looks. */
    private record Op(String name, Supplier<Ctx> setup, Function<Ctx, Agent.Answer> act, Consumer<Ctx> outcome) {
    }

    private record Step(String method, String pathPattern, String label) {
    }

    private record Fault(String name, Map<String, Object> rule) {
    }

    private static final List<Fault> FAULTS = List.of(
            new Fault("429", Map.of("status", 429)),
            new Fault("no answer before acting", Map.of("hang", true, "delayMillis", 50)),
            new Fault("500 after acting", Map.of("status", 500, "after", true)),
            new Fault("no answer after acting", Map.of("hang", true, "delayMillis", 50, "after", true)));

    private static int cases;
    private static int unexpected;

    @AfterEach
    void leaveTheCallCentreEmpty() {
        resetCallCentre(sim, twilio);
        sim.clearAlerts();
    }

    private static Ctx connected(String customer) {
        Connected call = connect(customer);
        return new Ctx(customer, call, signIn(call.agent()), new HashMap<>());
    }

    private static String path(Ctx c, String operation) {
        return "/calls/" + c.call().task() + "/" + operation;
    }

    private static List<Op> operations() {
        return List.of(
                new Op("hold", () -> connected("+14155550301"),
                        c -> c.agent().post(path(c, "hold"), Map.of("hold", true)),
                        c -> assertEquals(Set.of(HOLD_MUSIC), sim.hears(c.customer()))),
                new Op("cold transfer to a worker", () -> connected("+14155550302"),
                        c -> c.agent().post(path(c, "cold-transfer"), Map.of("to", Map.of("worker", DemoWorkspace.CAROL))),
                        c -> {
                            assertEquals(Set.of(HOLD_MUSIC), sim.hears(c.customer()));
                            assertNull(sim.liveCall(c.call().agent()), "the agent left");
                            assertNotNull(sim.ringing("carol"));
                        }),
                new Op("cold transfer to a number", () -> connected("+14155550303"),
                        c -> c.agent().post(path(c, "cold-transfer"), Map.of("to", Map.of("number", EXTERNAL))),
                        c -> {
                            assertEquals(Set.of(HOLD_MUSIC), sim.hears(c.customer()));
                            assertNull(sim.liveCall(c.call().agent()), "the agent left");
                            assertNotNull(sim.ringing(EXTERNAL));
                        }),
                new Op("warm transfer to a worker", () -> connected("+14155550304"),
                        c -> c.agent().post(path(c, "warm-transfer"), Map.of("to", Map.of("worker", DemoWorkspace.CAROL))),
                        c -> {
                            assertEquals(Set.of(HOLD_MUSIC), sim.hears(c.customer()));
                            assertNotNull(sim.ringing("carol"));
                            assertEquals("RINGING", c.agent().get(path(c, "warm-transfer")).body().path("state").asText());
                        }),
                new Op("warm transfer to a number", () -> connected("+14155550305"),
                        c -> c.agent().post(path(c, "warm-transfer"), Map.of("to", Map.of("number", EXTERNAL))),
                        c -> {
                            assertEquals(Set.of(HOLD_MUSIC), sim.hears(c.customer()));
                            assertNotNull(sim.ringing(EXTERNAL));
                        }),
                new Op("warm transfer complete", () -> {
                    Ctx c = connected("+14155550306");
                    Agent.Answer started = c.agent().post(path(c, "warm-transfer"), Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
                    assertEquals(201, started.status(), started.body().toString());
                    sim.answer(sim.ringing("carol"));
                    assertEquals(Set.of("carol"), sim.hears(c.call().agent()));
                    return c;
                },
                        c -> c.agent().post(path(c, "warm-transfer/complete"), Map.of()),
                        c -> {
                            assertEquals(Set.of("carol"), sim.hears(c.customer()));
                            assertNull(sim.liveCall(c.call().agent()), "the agent left");
                            assertEquals("wrapping", task(c.call().task()).path("assignment_status").asText());
                        }),
                new Op("supervisor join", () -> {
                    Ctx c = connected("+14155550307");
                    c.more().put("supervisor", signIn("sam"));
                    return c;
                },
                        c -> ((Agent) c.more().get("supervisor")).post(path(c, "supervisor"), Map.of("mode", "monitor")),
                        c -> {
                            assertNotNull(sim.ringing("sam"));
                            assertEquals(Set.of(c.call().agent()), sim.hears(c.customer()));
                        }));
    }

    @TestFactory
    Stream<DynamicNode> everyRestStepOfEveryOperationSurvivesEveryFault() {
        List<DynamicNode> containers = new ArrayList<>();
        for (Op op : operations()) {
            containers.add(DynamicContainer.dynamicContainer(op.name(), Stream.of(DynamicTest.dynamicTest("all steps × all faults", () -> matrix(op)))));
        }
        containers.add(DynamicTest.dynamicTest("summary", () -> {
            // The figures are in the failure messages only: a passing test prints nothing.
            assertTrue(cases >= 60, "fault matrix: cases " + cases + ", unexpected " + unexpected);
            assertEquals(0, unexpected, "fault matrix: cases " + cases + ", unexpected " + unexpected);
        }));
        return containers.stream();
    }

    private void matrix(Op op) {
        // The clean run, twice: the first fills the per-container caches (workers, queues) as a warm function has them.
        Ctx warmUp = op.setup().get();
        assertTrue(op.act().apply(warmUp).status() / 100 == 2, op.name() + " warm-up");
        resetCallCentre(sim, twilio);
        // Its success, and the REST steps the operation itself makes (not the webhooks it causes later).
        Ctx clean = op.setup().get();
        sim.clearRequests();
        Instant before = Instant.now();
        Agent.Answer ok = op.act().apply(clean);
        Instant after = Instant.now();
        assertTrue(ok.status() / 100 == 2, op.name() + " clean: " + ok.status() + " " + ok.body());
        op.outcome().accept(clean);
        List<JsonNode> made = within(sim.requests(), before, after);
        List<Step> steps = steps(made);
        long cleanCreates = executedCreates(made);
        assertTrue(!steps.isEmpty(), op.name() + " makes REST requests");
        resetCallCentre(sim, twilio);

        List<String> failures = new ArrayList<>();
        for (Step step : steps) {
            for (Fault fault : FAULTS) {
                cases++;
                String name = op.name() + " / " + step.label() + " / " + fault.name();
                try {
                    one(op, step, fault, cleanCreates);
                } catch (AssertionError | RuntimeException e) {
                    unexpected++;
                    failures.add(name + ": " + e.getMessage());
                } finally {
                    resetCallCentre(sim, twilio);
                    sim.clearAlerts();
                }
            }
        }
        assertEquals(List.of(), failures, op.name() + " steps " + steps);
    }

    private void one(Op op, Step step, Fault fault, long cleanCreates) {
        Ctx c = op.setup().get();
        sim.clearRequests();
        Map<String, Object> rule = new HashMap<>(fault.rule());
        rule.put("method", step.method());
        rule.put("path", step.pathPattern());
        rule.put("nth", Integer.parseInt(step.label().replaceAll(".*#", "")));
        rule.put("times", 1);
        sim.addFault(rule);
        Instant before = Instant.now();
        Agent.Answer answer = op.act().apply(c);
        Instant after = Instant.now();
        sim.clearFaults();
        List<JsonNode> made = within(sim.requests(), before, after);
        assertTrue(made.stream().anyMatch(r -> !r.path("fault").isNull() && !r.path("fault").isMissingNode()), "the fault was injected: " + made);
        assertTrue(executedCreates(made) <= cleanCreates, "created twice: " + made);
        if (answer.status() / 100 == 2) {
            op.outcome().accept(c);
            noPartyHasTwoCalls();
            return;
        }
        assertTrue(Set.of(409, 502, 503, 504).contains(answer.status()), "status " + answer.status() + " " + answer.body());
        assertTrue(TYPED.contains(answer.body().path("error").path("code").asText()), "typed error: " + answer.body());
        // Nothing half-done: the agent repeats the request and gets the clean outcome, still with nothing made twice.
        Agent.Answer again = op.act().apply(c);
        assertTrue(again.status() / 100 == 2, "repeated after " + answer.body() + ": " + again.status() + " " + again.body());
        op.outcome().accept(c);
        noPartyHasTwoCalls();
    }

    /** No phone rings twice: every party has at most one live call. */
    private static void noPartyHasTwoCalls() {
        List<String> parties = new ArrayList<>();
        sim.hearing().forEach(call -> parties.add(call.path("party").asText()));
        assertEquals(Set.copyOf(parties).size(), parties.size(), "a party with two live calls: " + parties);
    }

    private static List<JsonNode> within(List<JsonNode> requests, Instant from, Instant to) {
        return requests.stream().filter(r -> {
            Instant at = Instant.parse(r.path("time").asText());
            return !at.isBefore(from) && !at.isAfter(to);
        }).toList();
    }

    /** Each request as a step: method, path with SIDs generalised, and which occurrence of that pair it is. */
    private static List<Step> steps(List<JsonNode> requests) {
        Map<String, Integer> seen = new HashMap<>();
        List<Step> out = new ArrayList<>();
        for (JsonNode request : requests) {
            String method = request.path("method").asText();
            String pattern = SID.matcher(Pattern.quote(request.path("path").asText())).replaceAll("\\\\E[A-Z]{2}[0-9a-fA-F]{32}\\\\Q") + "$";
            int nth = seen.merge(method + " " + pattern, 1, Integer::sum);
            String shortPath = SID.matcher(request.path("path").asText()).replaceAll("{sid}").replaceAll("^.*/(Workspaces|Accounts)/\\{sid}", "");
            out.add(new Step(method, pattern, method + " " + shortPath + " #" + nth));
        }
        return out;
    }

    /** Creates Twilio acted on: answered 2xx, or failed only after acting. */
    private static long executedCreates(List<JsonNode> requests) {
        return requests.stream().filter(r -> r.path("method").asText().equals("POST") && CREATE.matcher(r.path("path").asText()).find())
                .filter(r -> r.path("status").asInt() / 100 == 2 || r.path("fault").asText("").contains("after executing"))
                .count();
    }
}
