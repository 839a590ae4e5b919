package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.http.TwilioRestClient;
import dev.callcontrol.local.Agent;
import dev.callcontrol.local.LocalRuntime;
import dev.callcontrol.local.sim.DemoWorkspace;
import dev.callcontrol.local.sim.SimClient;
import dev.callcontrol.testing.Webhooks;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chaos over every flow: random plans of agents' and supervisors' commands (hold and resume; cold
 * transfer to a worker, a queue or a number; warm transfer to each with three-way, complete and
 * cancel; monitor, whisper, barge and stop; hang-up and wrap-up), on inbound and outbound calls,
 * with every party answering, declining or hanging up at any step, time passing, and every fault
 * the local runtime offers armed anywhere (lost and repeated webhooks, DynamoDB 500s, throttles and
 * delays, Twilio 429s, 5xx and lost connections, before or after Twilio acted). After each try the
 * clock runs long enough for {@code MAX_HOLD_SECONDS}, {@code TRANSFER_TIMEOUT_SECONDS} and the 90 s
 * undo of an unfinished transfer, with the reconciler on its schedule, and {@link ChaosInvariants}
 * checks what the simulator shows.
 *
 * <p>CI runs a few tries from a fixed seed ({@code jqwik.tries.default}); {@code local/chaos [tries] [seed]}
 * runs more, with {@code -Dchaos.seed} mixed into every plan and {@code -Dchaos.report=true} to print
 * {@code tries N, violations M} and the first plans that broke an invariant (going on past them, so
 * that every try is counted; the script fails on any). {@code -Dchaos.replay=<plan seed>} runs the
 * one plan a report printed.
 */
class ChaosPropertyTest {
    static final String NUMBER = "+14155550980";
    private static final long SALT = Long.getLong("chaos.seed", 0L);
    private static final List<String> WEBHOOKS = List.of("^/twilio/conference-events$", "^/twilio/call-events$", "^/twilio/taskrouter-events$",
            "^/twilio/assignment$", "^/twilio/transfer-leg$", "^/twilio/supervisor-leg$", "^/twilio/");
    private static final List<String> REST = List.of("Participants", "Tasks", "Calls", "Conferences", "Reservations", ".");
    private static final List<String> DYNAMODB = List.of("GetItem", "PutItem", "UpdateItem", "Query", "DeleteItem", "*");
    private static final boolean REPORT = Boolean.getBoolean("chaos.report");
    private static final boolean DEBUG = Boolean.getBoolean("chaos.debug");
    private static String lastTask;
    private static List<com.fasterxml.jackson.databind.JsonNode> lastRequests;
    private static final AtomicInteger TRIES = new AtomicInteger();
    private static final AtomicInteger VIOLATIONS = new AtomicInteger();
    private static final List<String> EXAMPLES = new ArrayList<>();
    private static final AtomicInteger CALLERS = new AtomicInteger();
    /** How the product answered each command, as "STEP status": the report shows that every flow was reached, not only refused. */
    private static final Map<String, Integer> ANSWERS = new java.util.TreeMap<>();

    private static LocalRuntime runtime;
    private static SimClient sim;
    private static TwilioRestClient twilio;
    private static ChaosControls controls;
    /** Every agent-API exchange of every try, held to docs/agent-api.yaml. */
    private static AgentApiContract agentApi;

    @BeforeContainer
    static void start() throws Exception {
        runtime = LocalRuntime.start(LocalRuntime.Options.fromEnvironment(Scenarios.environment()));
        sim = new SimClient(runtime.simulator().orElseThrow().baseUrl());
        twilio = Scenarios.testClient(runtime);
        controls = new ChaosControls(runtime.baseUrl());
        agentApi = AgentApiContract.watch(runtime);
        for (String worker : CallCentreScenario.WORKERS.keySet()) {
            ChaosInvariants.signedIn(runtime.baseUrl(), worker);
        }
    }

    @AfterContainer
    static void stop() {
        if (REPORT) {
            System.out.println("tries " + TRIES.get() + ", violations " + VIOLATIONS.get());
            EXAMPLES.forEach(example -> System.out.println("  " + example));
            synchronized (ANSWERS) {
                System.out.println("answers: " + ANSWERS);
            }
        }
        runtime.close();
    }

    @Provide
    Arbitrary<ChaosStep.Plan> plans() {
        String replay = System.getProperty("chaos.replay", "");
        if (!replay.isBlank()) {
            return Arbitraries.just(ChaosStep.plan(Long.parseLong(replay.trim())));
        }
        return Arbitraries.longs().map(seed -> ChaosStep.plan(seed ^ SALT));
    }

    @Property(seed = "20261207", shrinking = ShrinkingMode.OFF)
    boolean noCustomerIsStrandedAndNothingIsLeftBehind(@ForAll("plans") ChaosStep.Plan plan) {
        TRIES.incrementAndGet();
        String customer = "+1415556" + String.format("%04d", CALLERS.incrementAndGet() % 10000);
        ChaosInvariants invariants = new ChaosInvariants(sim, runtime.baseUrl(), customer);
        List<String> problems = new ArrayList<>();
        try {
            sim.clearRequests();
            Random random = new Random(plan.seed() * 31 + 7);
            for (ChaosStep fault : plan.beforeStart()) {
                arm(fault, random);
            }
            Call call = plan.start() == ChaosStep.Start.INBOUND ? callIn(customer) : callOut(customer);
            for (ChaosStep step : plan.steps()) {
                run(step, call, random);
            }
            clearFaults();
            settle(ChaosInvariants.SETTLE_SECONDS);
            String task = call.task != null ? call.task : invariants.taskOfCustomer();
            invariants.whileLive(task, problems);
            if (DEBUG && task != null) {
                System.out.println("  live view: " + ChaosInvariants.view(runtime.baseUrl(), task) + "\n  hearing: " + sim.hearing() + "\n  tasks: " + sim.tasks());
            }
            invariants.nothingTwice(call.numberStarts, problems);

            hangUp(customer);
            if (call.task != null && random.nextBoolean()) {
                // The agent ends their wrap-up with a disposition (else the wrap-up timer ends it).
                command(ChaosStep.WRAP_UP, ChaosInvariants.signedIn(runtime.baseUrl(), agentOf(call)), "/calls/" + call.task + "/wrap-up", Map.of("disposition", "resolved"));
            }
            settle(ChaosInvariants.AFTER_CALL_SECONDS);
            invariants.afterTheCall(task != null ? task : invariants.taskOfCustomer(), problems);
            invariants.contract(problems);
            agentApi.takeMismatches().forEach(m -> problems.add("not as docs/agent-api.yaml describes: " + m));
            lastTask = task;
            lastRequests = DEBUG ? sim.requests() : null;
        } catch (RuntimeException e) {
            problems.add("the try broke: " + e);
        } finally {
            cleanUp();
        }
        if (!problems.isEmpty()) {
            VIOLATIONS.incrementAndGet();
            synchronized (EXAMPLES) {
                if (EXAMPLES.size() < 20) {
                    EXAMPLES.add(plan + " -> " + problems);
                }
            }
        }
        if (!problems.isEmpty() && DEBUG) {
            System.out.println(plan + "\n  view: " + ChaosInvariants.view(runtime.baseUrl(), String.valueOf(lastTask)) + "\n  requests: " + lastRequests);
        }
        // A run for figures (local/chaos) goes on past a violation, so that it counts them all; the script fails on any.
        return problems.isEmpty() || REPORT;
    }

    /** The call under test: its task (null when it never got one), who placed or took it, and how many transfers to the number were asked for. */
    private static final class Call {
        final String customer;
        final String task;
        final String firstAgent;
        int numberStarts;

        Call(String customer, String task, String firstAgent) {
            this.customer = customer;
            this.task = task;
            this.firstAgent = firstAgent;
        }
    }

    /** A customer calls the support line; the support agent whose phone rings answers. */
    private static Call callIn(String customer) {
        sim.dial(customer, DemoWorkspace.PHONE_NUMBER);
        String agent = "alice";
        for (String candidate : List.of("alice", "bob")) {
            JsonNode leg = sim.liveCall(candidate);
            if (leg != null && leg.path("status").asText().equals("ringing")) {
                agent = candidate;
                sim.answer(leg.path("callSid").asText());
                break;
            }
        }
        JsonNode leg = sim.liveCall(customer);
        String task = leg == null ? null : leg.path("conference").asText(leg.path("queuedTask").asText(null));
        return new Call(customer, task, agent);
    }

    /** Alice calls the customer (POST /calls): her phone rings first, then the customer's, and both answer. */
    private static Call callOut(String customer) {
        Agent.Answer placed = ChaosInvariants.signedIn(runtime.baseUrl(), "alice").post("/calls", Map.of("to", customer));
        tally(ChaosStep.Start.OUTBOUND, placed.status());
        String task = placed.status() == 202 ? placed.body().path("taskSid").asText() : null;
        for (String party : List.of("alice", customer)) {
            act(party, "ringing", sim::answer);
        }
        return new Call(customer, task, "alice");
    }

    private static void run(ChaosStep step, Call call, Random random) {
        if (ChaosStep.FAULTS.contains(step)) {
            arm(step, random);
            return;
        }
        String path = "/calls/" + call.task;
        Agent agent = call.task == null ? null : ChaosInvariants.signedIn(runtime.baseUrl(), agentOf(call));
        Agent sam = ChaosInvariants.signedIn(runtime.baseUrl(), "sam");
        switch (step) {
            case HOLD -> command(step, agent, path + "/hold", Map.of("hold", true));
            case RESUME -> command(step, agent, path + "/hold", Map.of("hold", false));
            case COLD_TO_WORKER -> command(step, agent, path + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
            case COLD_TO_QUEUE -> command(step, agent, path + "/cold-transfer", Map.of("to", Map.of("queue", "sales")));
            case COLD_TO_NUMBER -> call.numberStarts += command(step, agent, path + "/cold-transfer", Map.of("to", Map.of("number", NUMBER)));
            case WARM_TO_WORKER -> command(step, agent, path + "/warm-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
            case WARM_TO_QUEUE -> command(step, agent, path + "/warm-transfer", Map.of("to", Map.of("queue", "sales")));
            case WARM_TO_NUMBER -> call.numberStarts += command(step, agent, path + "/warm-transfer", Map.of("to", Map.of("number", NUMBER)));
            case THREE_WAY -> command(step, agent, path + "/warm-transfer/three-way", Map.of());
            case COMPLETE -> command(step, agent, path + "/warm-transfer/complete", Map.of());
            case CANCEL -> command(step, agent, path + "/warm-transfer/cancel", Map.of());
            case MONITOR -> command(step, call.task == null ? null : sam, path + "/supervisor", Map.of("mode", "monitor"));
            case WHISPER -> command(step, call.task == null ? null : sam, path + "/supervisor", Map.of("mode", "whisper"));
            case BARGE -> command(step, call.task == null ? null : sam, path + "/supervisor", Map.of("mode", "barge"));
            case STOP_SUPERVISING -> {
                if (call.task != null) {
                    tally(step, sam.delete(path + "/supervisor").status());
                }
            }
            case HANG_UP_VIA_API -> command(step, agent, path + "/hangup", Map.of());
            case WRAP_UP -> command(step, agent, path + "/wrap-up", Map.of("disposition", "resolved"));
            case TARGET_ANSWERS -> ringingTarget(call).ifPresent(sim::answer);
            case TARGET_DECLINES -> ringingTarget(call).ifPresent(sim::decline);
            case TARGET_HANGS_UP -> connectedTarget(call).ifPresent(sim::hangup);
            case SUPERVISOR_ANSWERS -> act("sam", "ringing", sim::answer);
            case SUPERVISOR_HANGS_UP -> act("sam", null, sim::hangup);
            case AGENT_HANGS_UP -> act(agentOf(call), null, sim::hangup);
            case CUSTOMER_HANGS_UP -> act(call.customer, null, sim::hangup);
            case TIME_PASSES -> sim.advance(5 + random.nextInt(56));
            case RECONCILE -> controls.reconcile();
            default -> throw new IllegalStateException("not a command or a party's action: " + step);
        }
    }

    /** Sends an agent's command (none without a call); answers 1 when it was sent. Any answer is allowed: the invariants judge the outcome. */
    private static int command(ChaosStep step, Agent agent, String path, Map<String, Object> body) {
        if (agent == null) {
            return 0;
        }
        tally(step, agent.post(path, body).status());
        return 1;
    }

    private static void tally(Object step, int status) {
        synchronized (ANSWERS) {
            ANSWERS.merge(step + " " + status, 1, Integer::sum);
        }
    }

    /** Arms one fault for whatever comes next. */
    private static void arm(ChaosStep fault, Random random) {
        int nth = 1 + random.nextInt(3);
        int times = 1 + random.nextInt(2);
        boolean after = random.nextBoolean();
        switch (fault) {
            case WEBHOOK_LOST -> sim.addFault(Map.of("webhook", pick(WEBHOOKS, random), "nth", nth, "times", times, "drop", true));
            case WEBHOOKS_REPEAT -> sim.replayWebhooks(1 + random.nextInt(6));
            case DYNAMODB_500 -> controls.dynamoDbFault(Map.of("operation", pick(DYNAMODB, random), "nth", nth, "times", times,
                    "status", random.nextBoolean() ? 500 : 503, "after", after));
            case DYNAMODB_THROTTLE -> controls.dynamoDbFault(Map.of("operation", pick(DYNAMODB, random), "nth", nth, "times", times, "throttle", true));
            case DYNAMODB_DELAY -> controls.dynamoDbFault(Map.of("operation", pick(DYNAMODB, random), "nth", nth, "times", times,
                    "delayMillis", 100 + random.nextInt(900)));
            case TWILIO_429 -> sim.addFault(Map.of("method", "POST", "path", pick(REST, random), "nth", nth, "times", times, "status", 429));
            case TWILIO_5XX -> sim.addFault(Map.of("method", "POST", "path", pick(REST, random), "nth", nth, "times", times,
                    "status", List.of(500, 502, 503).get(random.nextInt(3)), "after", after));
            case TWILIO_LOST_CONNECTION -> sim.addFault(Map.of("method", random.nextInt(4) == 0 ? "GET" : "POST", "path", pick(REST, random),
                    "nth", nth, "times", times, "hang", true, "delayMillis", 50, "after", after));
            default -> throw new IllegalStateException("not a fault: " + fault);
        }
    }

    private static String pick(List<String> choices, Random random) {
        return choices.get(random.nextInt(choices.size()));
    }

    private static void clearFaults() {
        sim.clearFaults();
        controls.clearDynamoDbFaults();
    }

    /** Lets simulated time pass a minute at a time: the reconciler runs on its schedule at each tick. */
    static void settle(int seconds) {
        for (int left = seconds; left > 0; left -= 60) {
            sim.advance(Math.min(60, left));
        }
    }

    /** Who is the call's agent now: the record's, else whoever took or placed it. */
    private static String agentOf(Call call) {
        if (call.task != null) {
            String worker = ChaosInvariants.view(runtime.baseUrl(), call.task).path("agent").path("workerSid").asText("");
            for (Map.Entry<String, String> entry : CallCentreScenario.WORKERS.entrySet()) {
                if (entry.getValue().equals(worker)) {
                    return entry.getKey();
                }
            }
        }
        return call.firstAgent;
    }

    /** A transfer target's leg (carol, a sales agent, the number) that is ringing. */
    private static java.util.Optional<String> ringingTarget(Call call) {
        String agent = agentOf(call);
        for (String party : List.of("carol", "bob", "alice", NUMBER)) {
            JsonNode leg = sim.liveCall(party);
            if (!party.equals(agent) && leg != null && leg.path("status").asText().equals("ringing")) {
                return java.util.Optional.of(leg.path("callSid").asText());
            }
        }
        return java.util.Optional.empty();
    }

    /** A transfer target's leg that is connected: someone in the conference other than the agent, the customer and the supervisor. */
    private static java.util.Optional<String> connectedTarget(Call call) {
        String agent = agentOf(call);
        for (String party : List.of("carol", "bob", "alice", NUMBER)) {
            JsonNode leg = sim.liveCall(party);
            if (!party.equals(agent) && leg != null && call.task != null && call.task.equals(leg.path("conference").asText())) {
                return java.util.Optional.of(leg.path("callSid").asText());
            }
        }
        return java.util.Optional.empty();
    }

    private static void act(String party, String status, java.util.function.Function<String, JsonNode> action) {
        JsonNode leg = sim.liveCall(party);
        if (leg != null && (status == null || leg.path("status").asText().equals(status))) {
            action.apply(leg.path("callSid").asText());
        }
    }

    private static void hangUp(String party) {
        act(party, null, sim::hangup);
    }

    /** Leaves the call centre as the next try expects it; a failure here is reported, not thrown, so the count stays honest. */
    private static void cleanUp() {
        try {
            controls.clearDynamoDbFaults();
            CallCentreScenario.resetCallCentre(sim, twilio);
            sim.clearAlerts();
        } catch (RuntimeException e) {
            System.err.println("clean-up after a try failed: " + e);
        }
    }
}
