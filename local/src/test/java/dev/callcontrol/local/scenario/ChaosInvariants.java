package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.Agent;
import dev.callcontrol.local.sim.SimClient;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What must hold after a chaos try, read from the simulator ({@code /sim/hearing}, tasks and
 * reservations, the request log) and the call's record ({@code GET /calls/{taskSid}}).
 *
 * <p>While the customer is on the line, once the clock has run past every limit: they are not
 * alone in a conference, not held without an agent (unless a task is routing them to one), not held
 * past {@code MAX_HOLD_SECONDS}; every transfer is terminal, or live with its parties present. After
 * the customer hung up: no task of the call pending, reserved or assigned, nobody left in its
 * conference, its record ended and its transfers terminal. Always: no warm or cold transfer created
 * two tasks, the number was dialled at most once per request, and no request broke Twilio's contract.
 */
final class ChaosInvariants {
    /** The defaults the runtime runs with: MAX_HOLD_SECONDS, TRANSFER_TIMEOUT_SECONDS, and the undo of an unfinished transfer. */
    static final int MAX_HOLD_SECONDS = 300;
    static final int TRANSFER_TIMEOUT_SECONDS = 120;
    static final int UNDO_SECONDS = 90;
    /** Reconciler periods (a minute each) given to every limit, as the "within two periods". */
    static final int PERIODS = 2 * 60;
    /** How long the clock runs, untouched, before the live checks: past every limit one after another. */
    static final int SETTLE_SECONDS = MAX_HOLD_SECONDS + TRANSFER_TIMEOUT_SECONDS + UNDO_SECONDS + PERIODS;
    /** How long after the customer hung up before the after-the-call checks: the conference's end and two periods. */
    static final int AFTER_CALL_SECONDS = 60 + PERIODS;
    private static final Set<String> ROUTING = Set.of("pending", "reserved");
    private static final Set<String> OPEN = Set.of("pending", "reserved", "assigned");

    private final SimClient sim;
    private final String baseUrl;
    private final String customer;

    ChaosInvariants(SimClient sim, String baseUrl, String customer) {
        this.sim = sim;
        this.baseUrl = baseUrl;
        this.customer = customer;
    }

    private static final Map<String, Agent> AGENTS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A worker signed in once per run, before any fault is armed: signing in reads the worker from
     * TaskRouter, and a fault armed for the product's requests must not break the test's own sign-in.
     */
    static Agent signedIn(String baseUrl, String worker) {
        return AGENTS.computeIfAbsent(worker, name -> Agent.signIn(baseUrl, name));
    }

    /** The call's record as a supervisor sees it, or a missing node. */
    static JsonNode view(String baseUrl, String task) {
        Agent.Answer answer = signedIn(baseUrl, "sam").get("/calls/" + task);
        return answer.status() == 200 ? answer.body() : MissingNode.getInstance();
    }

    /** The task the customer's call was given, when the try never learnt it (the call set up under faults). */
    String taskOfCustomer() {
        for (JsonNode task : sim.tasks()) {
            if (task.path("attributes").asText().contains(customer) && !task.path("attributes").asText().contains("\"transfer\"")) {
                return task.path("sid").asText();
            }
        }
        return null;
    }

    void whileLive(String task, List<String> problems) {
        JsonNode leg = sim.liveCall(customer);
        if (leg == null) {
            return;
        }
        Set<String> hears = sim.hears(customer);
        boolean hearsSomeone = hears.stream().anyMatch(h -> !h.contains(":") && !h.equals("silence") && !h.equals("ringing"));
        boolean music = hears.stream().anyMatch(h -> h.startsWith("music:"));
        boolean routing = !tasksOfCall(task, ROUTING).isEmpty();
        String conference = leg.path("conference").asText("");
        List<String> others = othersIn(conference);
        JsonNode view = task == null ? MissingNode.getInstance() : view(baseUrl, task);
        String warm = view.path("warmTransfer").path("state").asText("");
        if (conference.isEmpty()) {
            if (!routing && !hearsSomeone) {
                problems.add("customer in no conference and nothing routing for them: hears " + hears);
            }
            return;
        }
        if (!hearsSomeone && !music) {
            problems.add("customer alone in the conference: hears " + hears + ", with " + others);
        }
        if (music && !hearsSomeone && others.isEmpty() && !routing) {
            problems.add("customer held with no agent and nothing routing for them: hears " + hears);
        }
        if (leg.path("hold").asBoolean() && !others.isEmpty() && !routing) {
            // Consulting agents too: the watchdog takes a customer held that long off hold whatever the agents are doing.
            problems.add("customer held past MAX_HOLD_SECONDS (" + SETTLE_SECONDS + " s untouched) with " + others + ", warm transfer " + warm);
        }
        if (Set.of("INITIATED", "RINGING").contains(warm)) {
            problems.add("warm transfer still " + warm + " after " + SETTLE_SECONDS + " s");
        }
        if (Set.of("CONSULTING", "THREE_WAY").contains(warm) && others.size() < 2) {
            problems.add("warm transfer " + warm + " without its parties: only " + others + " with the customer");
        }
        String cold = view.path("transfer").path("state").asText("");
        if (Set.of("starting", "requeuing").contains(cold)) {
            problems.add("cold transfer still " + cold + " after " + SETTLE_SECONDS + " s");
        }
        if (cold.equals("routing") && !routing && others.isEmpty()) {
            problems.add("cold transfer routing with no task routing and nobody with the customer");
        }
    }

    void afterTheCall(String task, List<String> problems) {
        for (JsonNode open : tasksOfCall(task, OPEN)) {
            problems.add("task " + open.path("sid").asText() + " still " + open.path("assignment_status").asText() + " after the call ended");
        }
        if (task == null) {
            return;
        }
        List<String> left = new ArrayList<>();
        for (JsonNode call : sim.hearing()) {
            if (task.equals(call.path("conference").asText())) {
                left.add(call.path("party").asText());
            }
        }
        if (!left.isEmpty()) {
            problems.add(left + " still in the conference after the customer hung up");
        }
        JsonNode view = view(baseUrl, task);
        if (view.isMissingNode()) {
            return;
        }
        boolean neverConnected = view.path("status").asText().equals("connecting")
                && Set.of("canceled", "completed").contains(view.path("taskStatus").asText());
        if (!view.path("status").asText().equals("ended") && !neverConnected) {
            // A call whose task ended before it had a conference (the customer hung up in the queue) never had a record to end.
            problems.add("record still " + view.path("status").asText() + " after the call ended");
        }
        String warm = view.path("warmTransfer").path("state").asText("");
        if (!warm.isEmpty() && !Set.of("COMPLETED", "CANCELED", "FAILED").contains(warm)) {
            problems.add("warm transfer still " + warm + " after the call ended");
        }
        String cold = view.path("transfer").path("state").asText("");
        if (Set.of("starting", "requeuing").contains(cold)) {
            problems.add("cold transfer still " + cold + " after the call ended");
        }
    }

    /** No transfer created two tasks; the number was dialled at most once per transfer asked for. */
    void nothingTwice(int numberStarts, List<String> problems) {
        Map<String, Integer> tasksPerTransfer = new HashMap<>();
        int numberDials = 0;
        for (JsonNode request : sim.requests()) {
            boolean executed = request.path("status").asInt() / 100 == 2 || request.path("fault").asText("").contains("after executing");
            if (!executed || !request.path("method").asText().equals("POST")) {
                continue;
            }
            String path = request.path("path").asText();
            if (path.endsWith("/Participants.json") && request.path("parameters").path("To").path(0).asText().equals(ChaosPropertyTest.NUMBER)) {
                numberDials++;
            }
            if (path.endsWith("/Tasks")) {
                JsonNode attributes = Json.parse(request.path("parameters").path("Attributes").path(0).asText("{}"), "attributes");
                String id = attributes.path("transfer").path("transfer_id").asText("");
                if (!id.isEmpty()) {
                    tasksPerTransfer.merge(id, 1, Integer::sum);
                }
            }
        }
        tasksPerTransfer.forEach((id, count) -> {
            if (count > 1) {
                problems.add("transfer " + id + " created " + count + " tasks");
            }
        });
        if (numberDials > numberStarts) {
            problems.add("the number was dialled " + numberDials + " times for " + numberStarts + " transfers asked for");
        }
    }

    void contract(List<String> problems) {
        for (String violation : sim.contractViolations()) {
            problems.add("broke Twilio's contract: " + violation);
        }
    }

    /** The call's tasks (its own, and every task whose attributes name it or the customer) in one of these states. */
    private List<JsonNode> tasksOfCall(String task, Set<String> states) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode t : sim.tasks()) {
            String attributes = t.path("attributes").asText();
            boolean ofThisCall = (task != null && (t.path("sid").asText().equals(task) || attributes.contains(task))) || attributes.contains(customer);
            if (ofThisCall && states.contains(t.path("assignment_status").asText())) {
                found.add(t);
            }
        }
        return found;
    }

    /** Everyone connected in the conference besides the customer and the supervisor. */
    private List<String> othersIn(String conference) {
        List<String> others = new ArrayList<>();
        for (JsonNode call : sim.hearing()) {
            String party = call.path("party").asText();
            if (!conference.isEmpty() && conference.equals(call.path("conference").asText()) && !party.equals(customer) && !party.equals("sam")
                    && call.path("status").asText().equals("in-progress")) {
                others.add(party);
            }
        }
        return others;
    }
}
