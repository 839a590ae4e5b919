package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.http.TwilioRestClient;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.Agent;
import dev.callcontrol.local.LocalRuntime;
import dev.callcontrol.local.sim.DemoWorkspace;
import dev.callcontrol.local.sim.SimClient;
import dev.callcontrol.testing.Webhooks;
import dev.callcontrol.twilio.TwilioClients;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Random interleavings of agent commands, party actions (answer, decline, hang up, at any step),
 * time passing, duplicated and reordered webhooks and injected Twilio faults, run against the
 * product and the simulator. After everything settles: no customer on hold without an agent or a
 * task routing for them, none alone in silence, every warm transfer terminal once the call ends,
 * every task of the call moved on, and no transfer dialled or created twice.
 * {@code local/warm-chaos [tries]} runs it at scale and prints tries and violations.
 */
class WarmTransferPropertyTest {
    private static final String HOLD_MUSIC = "music:http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3";
    private static final String NUMBER = "+14155550980";
    private static final AtomicInteger TRIES = new AtomicInteger();
    private static final AtomicInteger VIOLATIONS = new AtomicInteger();
    private static final List<String> EXAMPLES = new ArrayList<>();
    private static final AtomicInteger CALLERS = new AtomicInteger();

    private static LocalRuntime runtime;

    private static AgentApiContract agentApi;
    private static SimClient sim;
    private static TwilioRestClient twilio;

    /** What can happen during a warm transfer. */
    enum Step {
        START_TO_WORKER, START_TO_QUEUE, START_TO_NUMBER, THREE_WAY, COMPLETE, CANCEL,
        TARGET_ANSWERS, TARGET_DECLINES, TARGET_HANGS_UP, AGENT_HANGS_UP, CUSTOMER_HANGS_UP,
        TIME_PASSES, WEBHOOKS_REPEAT, TWILIO_429, TWILIO_500
    }

    @BeforeContainer
    static void start() throws Exception {
        runtime = LocalRuntime.start(LocalRuntime.Options.fromEnvironment(Scenarios.environment()));
        agentApi = AgentApiContract.watch(runtime);
        sim = new SimClient(runtime.simulator().orElseThrow().baseUrl());
        Map<String, String> env = new HashMap<>(Webhooks.localEnvironment());
        env.put("TWILIO_API_BASE_URL", runtime.simulator().orElseThrow().baseUrl());
        twilio = TwilioClients.restClient(Config.of(env));
    }

    @AfterContainer
    static void stop() {
        System.out.println("warm-transfer chaos: tries " + TRIES.get() + ", violations " + VIOLATIONS.get());
        EXAMPLES.forEach(example -> System.out.println("  " + example));
        runtime.close();
    }

    @Provide
    Arbitrary<List<Step>> interleavings() {
        Arbitrary<Step> start = Arbitraries.of(Step.START_TO_WORKER, Step.START_TO_QUEUE, Step.START_TO_NUMBER);
        Arbitrary<List<Step>> rest = Arbitraries.of(Step.class).list().ofMinSize(0).ofMaxSize(7);
        return net.jqwik.api.Combinators.combine(start, rest).as((first, others) -> {
            List<Step> all = new ArrayList<>();
            all.add(first);
            all.addAll(others);
            return all;
        });
    }

    @Property
    boolean theCustomerIsNeverStrandedAndNothingHappensTwice(@ForAll("interleavings") List<Step> steps) {
        TRIES.incrementAndGet();
        String customer = "+1415556" + String.format("%04d", CALLERS.incrementAndGet() % 10000);
        List<String> problems = new ArrayList<>();
        try {
            sim.dial(customer, DemoWorkspace.PHONE_NUMBER);
            String agentName = sim.liveCall("alice") != null ? "alice" : "bob";
            sim.answer(sim.ringing(agentName));
            String task = sim.liveCall(customer).path("conference").asText();
            Agent agent = Agent.signIn(runtime.baseUrl(), agentName);
            String path = "/calls/" + task + "/warm-transfer";
            int numberStarts = 0;
            sim.clearRequests();
            for (Step step : steps) {
                switch (step) {
                    case START_TO_WORKER -> agent.post(path, Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
                    case START_TO_QUEUE -> agent.post(path, Map.of("to", Map.of("queue", "sales")));
                    case START_TO_NUMBER -> numberStarts += agent.post(path, Map.of("to", Map.of("number", NUMBER))).status() == 201 ? 1 : 0;
                    case THREE_WAY -> agent.post(path + "/three-way", Map.of());
                    case COMPLETE -> agent.post(path + "/complete", Map.of());
                    case CANCEL -> agent.post(path + "/cancel", Map.of());
                    case TARGET_ANSWERS -> act(target(), "ringing", sim::answer);
                    case TARGET_DECLINES -> act(target(), "ringing", sim::decline);
                    case TARGET_HANGS_UP -> act(target(), "in-progress", sim::hangup);
                    case AGENT_HANGS_UP -> act(agentName, null, sim::hangup);
                    case CUSTOMER_HANGS_UP -> act(customer, null, sim::hangup);
                    case TIME_PASSES -> sim.advance(25);
                    case WEBHOOKS_REPEAT -> sim.replayWebhooks(4);
                    case TWILIO_429 -> sim.addFault(Map.of("method", "POST", "path", "Participants|Tasks", "nth", 1, "times", 1, "status", 429));
                    case TWILIO_500 -> sim.addFault(Map.of("method", "POST", "path", "Participants|Tasks", "nth", 1, "times", 1, "status", 500));
                }
            }
            sim.clearFaults();
            sim.advance(60);
            checkWhileLive(customer, task, problems);
            checkNothingTwice(numberStarts, problems);

            act(customer, null, sim::hangup);
            sim.advance(60);
            checkAfterTheCall(task, problems);
            agentApi.takeMismatches().forEach(m -> problems.add("not as docs/agent-api.yaml describes: " + m));
        } catch (RuntimeException e) {
            problems.add("the try broke: " + e);
        } finally {
            cleanUp();
        }
        if (!problems.isEmpty()) {
            VIOLATIONS.incrementAndGet();
            synchronized (EXAMPLES) {
                if (EXAMPLES.size() < 10) {
                    EXAMPLES.add(steps + " -> " + problems);
                }
            }
        }
        return problems.isEmpty();
    }

    /** Whoever the transfer reaches: carol, bob (a sales agent) or the external number. */
    private static String target() {
        for (String party : List.of("carol", NUMBER, "bob")) {
            JsonNode call = sim.liveCall(party);
            if (call != null && (party.equals("carol") || party.equals(NUMBER) || call.path("conference").isMissingNode()
                    || call.path("status").asText().equals("ringing"))) {
                return party;
            }
        }
        return "carol";
    }

    private static void act(String party, String status, java.util.function.Function<String, JsonNode> action) {
        JsonNode call = sim.liveCall(party);
        if (call != null && (status == null || call.path("status").asText().equals(status))) {
            action.apply(call.path("callSid").asText());
        }
    }

    /** While the customer is still on the line: never held without an agent or a task routing for them; never in silence. */
    private static void checkWhileLive(String customer, String task, List<String> problems) {
        JsonNode call = sim.liveCall(customer);
        if (call == null) {
            return;
        }
        Set<String> hears = sim.hears(customer);
        boolean hearsSomeone = hears.stream().anyMatch(h -> !h.contains(":") && !h.equals("silence") && !h.equals("ringing"));
        boolean held = hears.contains(HOLD_MUSIC);
        if (held && !agentInConference(customer, call.path("conference").asText()) && !routingFor(task) && !ringing()) {
            problems.add("customer on hold with no agent and nothing routing for them: hears " + hears);
        }
        if (!held && !hearsSomeone) {
            problems.add("customer alone: hears " + hears);
        }
    }

    /** No warm transfer created two tasks, and the number was dialled at most once per start. */
    private static void checkNothingTwice(int numberStarts, List<String> problems) {
        Map<String, Integer> tasksPerTransfer = new HashMap<>();
        int participantCreates = 0;
        for (JsonNode request : sim.requests()) {
            String requestPath = request.path("path").asText();
            if (request.path("status").asInt() >= 300) {
                continue;
            }
            if (requestPath.endsWith("/Participants.json") && request.path("method").asText().equals("POST")) {
                // Creates only: the reconciler lists a conference's participants (GET) on its schedule.
                participantCreates++;
            }
            if (requestPath.endsWith("/Tasks") && request.path("method").asText().equals("POST")) {
                JsonNode attributes = Json.parse(request.path("parameters").path("Attributes").path(0).asText("{}"), "attributes");
                String id = attributes.path("transfer").path("transfer_id").asText("");
                if (attributes.path("transfer").path("mode").asText().equals("warm")) {
                    tasksPerTransfer.merge(id, 1, Integer::sum);
                }
            }
        }
        tasksPerTransfer.forEach((id, count) -> {
            if (count > 1) {
                problems.add("warm transfer " + id + " created " + count + " tasks");
            }
        });
        if (participantCreates > numberStarts) {
            problems.add("the number was dialled " + participantCreates + " times for " + numberStarts + " transfers");
        }
    }

    /** After the customer hung up: the transfer is over and every task of the call has moved on. */
    private static void checkAfterTheCall(String task, List<String> problems) {
        Agent.Answer transfer = Agent.signIn(runtime.baseUrl(), "sam").get("/calls/" + task + "/warm-transfer");
        if (transfer.status() == 200 && !Set.of("COMPLETED", "CANCELED", "FAILED").contains(transfer.body().path("state").asText())) {
            problems.add("warm transfer still " + transfer.body().path("state").asText() + " after the call ended");
        }
        for (JsonNode t : sim.tasks()) {
            boolean ofThisCall = t.path("sid").asText().equals(task) || t.path("attributes").asText().contains(task);
            String status = t.path("assignment_status").asText();
            if (ofThisCall && Set.of("pending", "reserved", "assigned").contains(status)) {
                problems.add("task " + t.path("sid").asText() + " still " + status + " after the call ended");
            }
        }
    }

    /** Someone other than the customer and the supervisor is in the customer's conference: an agent, or the external party. */
    private static boolean agentInConference(String customer, String conference) {
        for (JsonNode call : sim.hearing()) {
            String party = call.path("party").asText();
            if (!party.equals(customer) && !party.equals("sam") && conference.equals(call.path("conference").asText())) {
                return true;
            }
        }
        return false;
    }

    private static boolean routingFor(String task) {
        for (JsonNode t : sim.tasks()) {
            if (t.path("attributes").asText().contains(task) && Set.of("pending", "reserved").contains(t.path("assignment_status").asText())) {
                return true;
            }
        }
        return false;
    }

    private static boolean ringing() {
        for (JsonNode call : sim.hearing()) {
            if (call.path("status").asText().equals("ringing")) {
                return true;
            }
        }
        return false;
    }

    /** Leaves the call centre as the next try expects it; a failure here is reported, not thrown, so the count stays honest. */
    private static void cleanUp() {
        try {
            CallCentreScenario.resetCallCentre(sim, twilio);
            sim.clearAlerts();
        } catch (RuntimeException e) {
            System.err.println("clean-up after a try failed: " + e);
        }
    }
}
