package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** The local runtime's own controls the chaos test uses: {@code /dev/faults/dynamodb} and {@code /dev/reconcile}. */
final class ChaosControls {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String baseUrl;

    ChaosControls(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** Arms a DynamoDB fault in the proxy in front of DynamoDB Local. */
    void dynamoDbFault(Map<String, Object> rule) {
        send("POST", "/dev/faults/dynamodb", Json.write(rule), 201);
    }

    void clearDynamoDbFaults() {
        send("DELETE", "/dev/faults/dynamodb", null, 200);
    }

    /** Runs the reconciler now; answers what it did. */
    JsonNode reconcile() {
        return send("POST", "/dev/reconcile", null, 200);
    }

    private JsonNode send(String method, String path, String body, int expected) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return Json.parse(response.body(), method + " " + path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
