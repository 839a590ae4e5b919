package dev.callcontrol.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.local.sim.DemoWorkspace;
import dev.callcontrol.local.sim.SimClient;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The round-trip figures (a benchmark, not a test): runs every call-control operation against the
 * simulator and prints, per operation, how many Twilio REST requests it made and how many of them
 * were sequential on its critical path. Requests are counted from {@code /sim/requests}. To count
 * sequential steps, every REST request is delayed by the same injected latency, so an operation
 * whose requests go out side by side takes one delay per dependent step:
 * {@code steps = round(elapsed / delay)}.
 *
 * <p>Usage: {@code local/figures [delayMillis]} (default 400).
 */
public final class Figures {
    private final LocalRuntime runtime;
    private final SimClient sim;
    private final LiveCalls calls;
    private final long delayMillis;
    private final List<String[]> rows = new ArrayList<>();

    private Figures(LocalRuntime runtime, long delayMillis) {
        this.runtime = runtime;
        this.calls = new LiveCalls(runtime);
        this.sim = calls.sim();
        this.delayMillis = delayMillis;
    }

    public static void main(String[] args) throws Exception {
        long delay = args.length > 0 ? Long.parseLong(args[0]) : 400;
        try (LocalRuntime runtime = LocalRuntime.start(LocalRuntime.Options.benchmark())) {
            Figures figures = new Figures(runtime, delay);
            figures.run();
            figures.print();
        }
        System.exit(0);
    }

    private void run() {
        sim.addFault(Map.<String, Object>of("path", ".*", "delayMillis", delayMillis));

        // Call 1: hold, supervision, then a cold transfer to a named worker (the worker cache still cold).
        String customer = "+14155550201";
        String[] call = callIn(customer);
        Agent agent = Agent.signIn(runtime.baseUrl(), call[1]);
        String calls = "/calls/" + call[0];
        measure("hold", () -> agent.post(calls + "/hold", Map.of("hold", true)));
        measure("resume", () -> agent.post(calls + "/hold", Map.of("hold", false)));
        measure("resume again (already resumed)", () -> agent.post(calls + "/hold", Map.of("hold", false)));
        Agent sam = Agent.signIn(runtime.baseUrl(), "sam");
        measure("supervisor join, first in this container (worker read)", () -> sam.post(calls + "/supervisor", Map.of("mode", "monitor")));
        sim.answer(sim.ringing("sam"));
        measure("supervisor: whisper", () -> sam.post(calls + "/supervisor", Map.of("mode", "whisper")));
        measure("supervisor: barge", () -> sam.post(calls + "/supervisor", Map.of("mode", "barge")));
        measure("supervisor: monitor", () -> sam.post(calls + "/supervisor", Map.of("mode", "monitor")));
        measure("supervisor leaves", () -> sam.delete(calls + "/supervisor"));
        measure("cold transfer to a worker, first in this container (worker read)",
                () -> agent.post(calls + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL))));
        String carolLeg = sim.ringing("carol");
        webhook("transfer target answers: customer taken off hold", () -> sim.answer(carolLeg));
        Agent carol = Agent.signIn(runtime.baseUrl(), "carol");
        measure("hang up", () -> carol.post(calls + "/hangup", Map.of()));
        finishWrapUp();

        // Call 2: the worker cache is warm now.
        customer = "+14155550202";
        call = callIn(customer);
        Agent second = Agent.signIn(runtime.baseUrl(), call[1]);
        String calls2 = "/calls/" + call[0];
        measure("supervisor join", () -> sam.post(calls2 + "/supervisor", Map.of("mode", "monitor")));
        sim.decline(sim.ringing("sam"));
        measure("cold transfer to a worker", () -> second.post(calls2 + "/cold-transfer", Map.of("to", Map.of("worker", DemoWorkspace.CAROL))));
        String declined = sim.ringing("carol");
        webhook("transfer target declines: customer re-queued", () -> sim.decline(declined));
        sim.answer(sim.ringing(call[1].equals("alice") ? "bob" : "alice"));
        hangUp(customer);
        finishWrapUp();

        // Call 3: a queue (first queue lookup in this container), then call 4: a queue again.
        customer = "+14155550203";
        call = callIn(customer);
        Agent third = Agent.signIn(runtime.baseUrl(), call[1]);
        String calls3 = "/calls/" + call[0];
        measure("cold transfer to a queue, first in this container (queue list read)",
                () -> third.post(calls3 + "/cold-transfer", Map.of("to", Map.of("queue", "sales"))));
        sim.answer(sim.ringing(sim.liveCall("carol") != null ? "carol" : "bob"));
        hangUp(customer);
        finishWrapUp();
        customer = "+14155550204";
        call = callIn(customer);
        Agent fourth = Agent.signIn(runtime.baseUrl(), call[1]);
        String calls4 = "/calls/" + call[0];
        measure("cold transfer to a queue", () -> fourth.post(calls4 + "/cold-transfer", Map.of("to", Map.of("queue", "sales"))));
        sim.answer(sim.ringing(sim.liveCall("carol") != null ? "carol" : "bob"));
        hangUp(customer);
        finishWrapUp();

        // Call 5: a number.
        customer = "+14155550205";
        call = callIn(customer);
        Agent fifth = Agent.signIn(runtime.baseUrl(), call[1]);
        String calls5 = "/calls/" + call[0];
        measure("cold transfer to a number", () -> fifth.post(calls5 + "/cold-transfer", Map.of("to", Map.of("number", "+14155550999"))));
        String external = sim.ringing("+14155550999");
        webhook("external number answers: customer taken off hold", () -> sim.answer(external));
        webhook("external party hangs up: conference ended", () -> hangUp("+14155550999"));
        finishWrapUp();

        // Calls 6 and 7: warm transfers, completed and canceled.
        customer = "+14155550207";
        call = callIn(customer);
        Agent warm = Agent.signIn(runtime.baseUrl(), call[1]);
        String transfer = "/calls/" + call[0] + "/warm-transfer";
        measure("warm transfer: start", () -> warm.post(transfer, Map.of("to", Map.of("worker", DemoWorkspace.CAROL))));
        String target = sim.ringing("carol");
        webhook("warm transfer: target answers (consult)", () -> sim.answer(target));
        measure("warm transfer: three-way", () -> warm.post(transfer + "/three-way", Map.of()));
        measure("warm transfer: complete", () -> warm.post(transfer + "/complete", Map.of()));
        hangUp(customer);
        finishWrapUp();
        customer = "+14155550208";
        call = callIn(customer);
        Agent canceling = Agent.signIn(runtime.baseUrl(), call[1]);
        String transfer2 = "/calls/" + call[0] + "/warm-transfer";
        measure("warm transfer: start", () -> canceling.post(transfer2, Map.of("to", Map.of("worker", DemoWorkspace.CAROL))));
        sim.answer(sim.ringing("carol"));
        measure("warm transfer: cancel during the consult", () -> canceling.post(transfer2 + "/cancel", Map.of()));
        hangUp(customer);
        finishWrapUp();

        // Call 8: outbound.
        Agent alice = Agent.signIn(runtime.baseUrl(), "alice");
        measure("outbound call", () -> alice.post("/calls", Map.of("to", "+14155550206")));
        webhook("agent answers: call set up, customer dialled", () -> sim.answer(sim.ringing("alice")));
        sim.answer(sim.ringing("+14155550206"));
        hangUp("+14155550206");
        finishWrapUp();
        sim.clearFaults();
    }

    /** A customer calls the support line and the agent whose phone rings answers; answers {task, agent}. */
    private String[] callIn(String customer) {
        LiveCalls.Call call = calls.callIn(customer);
        record("call set up: agent answers (assignment callback, then conference events)", null, null);
        return new String[]{call.taskSid(), call.agent()};
    }

    /** An agent-API operation: its requests, and its sequential steps from how long it took. */
    private void measure(String operation, Supplier<Agent.Answer> request) {
        sim.clearRequests();
        long started = System.nanoTime();
        Agent.Answer answer = request.get();
        long elapsed = System.nanoTime() - started;
        Instant answered = Instant.now();
        if (answer.status() >= 400) {
            throw new IllegalStateException(operation + " answered " + answer.status() + ": " + answer.body());
        }
        record(operation, answered, elapsed);
    }

    /** Requests the product makes when Twilio tells it something (no caller waits on these). */
    private void webhook(String operation, Runnable happening) {
        sim.clearRequests();
        happening.run();
        record(operation, null, null);
    }

    /**
     * One row: the requests made before the answer (on the caller's path) and after it (follow-ups
     * that conference events caused). Webhook-driven rows have no caller, so no path.
     */
    private void record(String operation, Instant answered, Long elapsedNanos) {
        List<JsonNode> requests = sim.requests();
        int onPath = 0;
        StringBuilder what = new StringBuilder();
        for (JsonNode r : requests) {
            boolean before = answered != null && !Instant.parse(r.path("answered").asText()).isAfter(answered);
            onPath += before ? 1 : 0;
            what.append(what.isEmpty() ? "" : ", ").append(r.path("method").asText()).append(' ').append(resource(r.path("path").asText()))
                    .append(answered != null && !before ? " (follow-up)" : "");
        }
        // Each dependent step costs one injected delay; what is left over (the product's own work) is less than one.
        String steps = elapsedNanos == null ? "–" : String.valueOf((long) Math.floor(elapsedNanos / 1e6 / delayMillis));
        String millis = elapsedNanos == null ? "–" : String.valueOf(Math.round(elapsedNanos / 1e6));
        String path = answered == null ? "–" : String.valueOf(onPath);
        rows.add(new String[]{operation, path, steps, millis, String.valueOf(requests.size() - (answered == null ? 0 : onPath)), what.toString()});
    }

    private static String resource(String path) {
        return path.replaceAll("/(AC|CA|CF|WS|WT|WK|WR|WQ)[0-9a-fA-F]{32}", "/{$1}")
                .replaceFirst("^/2010-04-01/Accounts/\\{AC}", "")
                .replaceFirst("^/v1/Workspaces/\\{WS}", "");
    }

    private void hangUp(String party) {
        calls.hangUp(party);
    }

    private void finishWrapUp() {
        calls.finishWrapUp();
    }

    private void print() {
        System.out.println();
        System.out.println("Twilio REST requests per operation, against the simulator with " + delayMillis
                + " ms added to every request (sequential steps = elapsed / " + delayMillis + " ms, rounded down).");
        System.out.println();
        System.out.println("| Operation | REST requests on its path | Sequential steps | Elapsed (ms) | Requests from webhooks | Requests |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | --- |");
        for (String[] row : rows) {
            System.out.println("| " + String.join(" | ", row) + " |");
        }
    }
}
