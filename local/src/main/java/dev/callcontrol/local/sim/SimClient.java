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

    /** Every contract violation seen so far, as "METHOD path: parameter X: problem". */
    public List<String> contractViolations() {
        List<String> violations = new ArrayList<>();
        for (JsonNode entry : requests()) {
            entry.path("violations").forEach(v -> violations.add(entry.path("method").asText() + " " + entry.path("path").asText() + ": " + v.asText()));
        }
        return violations;
    }

    /** Adds a fault rule: {@code method}, {@code path} (regex), {@code nth}, and {@code status}, {@code hang} or {@code delayMillis}. */
    public JsonNode addFault(Map<String, Object> rule) {
        return send("POST", "/sim/faults", rule);
    }

    public void clearFaults() {
        send("DELETE", "/sim/faults", null);
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
