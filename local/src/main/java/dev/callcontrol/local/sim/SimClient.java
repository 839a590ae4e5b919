package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The simulator's control API ({@code /sim/...}) for tests and tools. */
public final class SimClient {
    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public SimClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** The seeded workspace: workspace and workflow SIDs, the phone number, queues and workers. */
    public JsonNode workers() {
        return send("GET", "/sim/workers", null);
    }

    /** Sets a worker's activity (by name or SID) to an activity (by name or SID). */
    public JsonNode setActivity(String worker, String activity) {
        return send("POST", "/sim/workers/" + URLEncoder.encode(worker, StandardCharsets.UTF_8) + "/activity", Map.of("activity", activity));
    }

    /** Every REST request received so far, oldest first. */
    public List<JsonNode> requests() {
        List<JsonNode> entries = new ArrayList<>();
        send("GET", "/sim/requests", null).forEach(entries::add);
        return entries;
    }

    public void clearRequests() {
        send("DELETE", "/sim/requests", null);
    }

    /**
     * Every contract violation seen so far: of REST requests, as "METHOD path: parameter X: problem",
     * then of the assignment callback's instructions (the alerts that refused them), as
     * "assignment instruction for POST path: key x (X): problem".
     */
    public List<String> contractViolations() {
        List<String> violations = new ArrayList<>();
        for (JsonNode entry : requests()) {
            entry.path("violations").forEach(v -> violations.add(entry.path("method").asText() + " " + entry.path("path").asText() + ": " + v.asText()));
        }
        for (JsonNode alert : alerts()) {
            alert.path("violations").forEach(v -> violations.add("assignment instruction for " + alert.path("request").asText() + ": " + v.asText()));
        }
        return violations;
    }

    /** Adds a fault rule: {@code method}, {@code path} (regex), {@code nth}, and {@code status}, {@code hang} or {@code delayMillis}. */
    public JsonNode addFault(Map<String, Object> rule) {
        return send("POST", "/sim/faults", rule);
    }

    /** Removes every fault: those on Twilio's REST API and those between Twilio and the product. */
    public void clearFaults() {
        send("DELETE", "/sim/faults", null);
    }

    /**
     * Adds a fault between Twilio and the product: {@code method}, {@code path} (regex on the
     * product URL's path), {@code nth} delivery attempt, {@code times}, and one of {@code status}
     * (4xx/5xx), {@code refuse} or {@code timeout}, with {@code after} when the product handles the
     * attempt and only its answer is lost.
     */
    public JsonNode addWebhookFault(Map<String, Object> rule) {
        return send("POST", "/sim/webhooks/faults", rule);
    }

    /** The webhooks delivered, oldest first, each with its URL as configured, as sent and as signed, its overrides and its attempts. */
    public List<JsonNode> webhookDeliveries() {
        List<JsonNode> entries = new ArrayList<>();
        send("GET", "/sim/webhooks", null).forEach(entries::add);
        return entries;
    }

    public void clearWebhookDeliveries() {
        send("DELETE", "/sim/webhooks", null);
    }

    /** A customer dials a number (the demo number when {@code to} is null); answers the new call's SID. */
    public String dial(String from, String to) {
        Map<String, Object> request = new java.util.LinkedHashMap<>();
        request.put("from", from);
        if (to != null) {
            request.put("to", to);
        }
        return send("POST", "/sim/calls", request).path("callSid").asText();
    }

    /** A live call seeded in bulk: its conference's name and SID, and the customer's and the agent's call SIDs. */
    public record SeededCall(String name, String conferenceSid, String customerCallSid, String agentCallSid) {
    }

    /**
     * Seeds live calls in bulk, for benchmarks ({@code POST /sim/conferences/seed}, a thousand a
     * request): for each name, a call from {@code customers[i]} and a call to {@code agents[i]}
     * connected to a conference of that name, with no task behind it and no event sent for the
     * joins. {@code conferenceStatusCallback} (may be null) receives the conferences' later events.
     */
    public List<SeededCall> seedConferences(List<String> names, List<String> customers, List<String> agents, String conferenceStatusCallback,
                                            List<String> events) {
        List<SeededCall> out = new ArrayList<>();
        for (int from = 0; from < names.size(); from += 1000) {
            List<Map<String, Object>> calls = new ArrayList<>();
            for (int i = from; i < Math.min(names.size(), from + 1000); i++) {
                calls.add(Map.of("name", names.get(i), "customer", customers.get(i), "agent", agents.get(i)));
            }
            Map<String, Object> request = new java.util.LinkedHashMap<>();
            request.put("calls", calls);
            if (conferenceStatusCallback != null) {
                request.put("conferenceStatusCallback", conferenceStatusCallback);
                request.put("conferenceStatusCallbackEvent", events);
            }
            for (JsonNode seeded : send("POST", "/sim/conferences/seed", request).path("seeded")) {
                out.add(new SeededCall(seeded.path("name").asText(), seeded.path("conferenceSid").asText(),
                        seeded.path("customerCallSid").asText(), seeded.path("agentCallSid").asText()));
            }
        }
        return out;
    }

    /** Delivers the last {@code count} status callbacks again, newest first (duplicated and reordered). */
    public int replayWebhooks(int count) {
        return send("POST", "/sim/webhooks/replay", Map.of("count", count)).path("replayed").asInt();
    }

    /** The person on a ringing leg picks up. */
    public JsonNode answer(String callSid) {
        return send("POST", "/sim/calls/" + callSid + "/answer", null);
    }

    /** The person on a ringing leg declines it (Twilio reports busy). */
    public JsonNode decline(String callSid) {
        return send("POST", "/sim/calls/" + callSid + "/decline", null);
    }

    /** The leg fails to connect. */
    public JsonNode fail(String callSid) {
        return send("POST", "/sim/calls/" + callSid + "/fail", null);
    }

    /** The person on the leg hangs up (a ringing leg is declined). */
    public JsonNode hangup(String callSid) {
        return send("POST", "/sim/calls/" + callSid + "/hangup", null);
    }

    /** Every live call with what it hears and who hears it. */
    public JsonNode hearing() {
        return send("GET", "/sim/hearing", null).path("calls");
    }

    /** The live call of a party ("alice" for client:alice, or a phone number), or null. */
    public JsonNode liveCall(String party) {
        JsonNode found = null;
        for (JsonNode call : hearing()) {
            if (call.path("party").asText().equals(party)) {
                found = call;
            }
        }
        return found;
    }

    /** The SID of the leg ringing a party; fails when none rings. */
    public String ringing(String party) {
        JsonNode call = liveCall(party);
        if (call == null || !call.path("status").asText().equals("ringing") && !call.path("status").asText().equals("queued")) {
            throw new IllegalStateException(party + " has no ringing call; calls now: " + hearing());
        }
        return call.path("callSid").asText();
    }

    /**
     * What a party hears right now, each source as text: another party's name, or
     * {@code music:<url>}, {@code say:<text>}, {@code silence}, {@code ringing}. Empty when the party has no live call.
     */
    public java.util.Set<String> hears(String party) {
        JsonNode call = liveCall(party);
        java.util.Set<String> sources = new java.util.TreeSet<>();
        if (call == null) {
            return sources;
        }
        for (JsonNode source : call.path("hears")) {
            if (source.has("party")) {
                sources.add(source.path("party").asText());
            } else {
                String kind = source.path("sound").asText();
                String detail = source.has("text") ? source.path("text").asText() : source.path("source").asText(null);
                sources.add(detail == null ? kind : kind + ":" + detail);
            }
        }
        return sources;
    }

    /** Moves the simulated clock forward, firing timers (ring and reservation timeouts) on the way. */
    public JsonNode advance(long seconds) {
        return send("POST", "/sim/clock/advance", Map.of("seconds", seconds));
    }

    /** Every task with its reservations. */
    public JsonNode tasks() {
        return send("GET", "/sim/tasks", null);
    }

    /** What Twilio's debugger would show: failed webhooks, invalid TwiML, refused instructions. */
    public JsonNode alerts() {
        return send("GET", "/sim/alerts", null);
    }

    public void clearAlerts() {
        send("DELETE", "/sim/alerts", null);
    }

    /** The rules register, with the variant in force for each ambiguous rule. */
    public JsonNode rules() {
        return send("GET", "/sim/rules", null);
    }

    /** Selects one reading of an ambiguous rule. */
    public JsonNode selectRule(String id, String variant) {
        return send("POST", "/sim/rules", java.util.Map.of("id", id, "variant", variant));
    }

    /** Back to the variants the simulator started with. */
    public JsonNode resetRules() {
        return send("DELETE", "/sim/rules", null);
    }

    public boolean contractChecked() {
        return send("GET", "/sim/health", null).path("contractChecked").asBoolean();
    }

    private JsonNode send(String method, String path, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 400) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return Json.parse(response.body(), "the simulator's answer");
        } catch (IOException e) {
            throw new IllegalStateException("the simulator at " + baseUrl + " did not answer " + method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
