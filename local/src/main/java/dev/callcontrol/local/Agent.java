package dev.callcontrol.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * An agent UI talking to the local runtime: a token from {@code /dev/token} (a JWT), or from
 * {@code /dev/flex-token} (a Flex token) when the runtime runs with {@code LOCAL_AGENT_AUTH=flex}
 * (for this JVM's runtimes: the system property {@code local.agentAuth=flex}), then the agent API.
 */
public final class Agent {
    /** An answer of the agent API. */
    public record Answer(int status, JsonNode body) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String baseUrl;
    private final String token;

    private Agent(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /** Signs in as a worker of the demo workspace, with the kind of token the runtimes of this JVM take. */
    public static Agent signIn(String baseUrl, String worker) {
        return signIn(baseUrl, worker, "flex".equals(System.getProperty("local.agentAuth")));
    }

    /** Signs in as a worker of the demo workspace with a Flex token ({@code flex}) or a JWT. */
    public static Agent signIn(String baseUrl, String worker, boolean flex) {
        Answer answer = send(baseUrl, null, "POST", flex ? "/dev/flex-token" : "/dev/token", Map.of("worker", worker));
        if (answer.status() != 200) {
            throw new IllegalStateException("no token for " + worker + ": " + answer);
        }
        return new Agent(baseUrl, answer.body().path("token").asText());
    }

    /**
     * Signs in as a worker whose token names another worker in its worker claim: what a user who
     * could edit their own worker attribute at the identity provider would hold.
     */
    public static Agent signInClaiming(String baseUrl, String worker, String claimedWorkerSid) {
        Answer answer = send(baseUrl, null, "POST", "/dev/token", Map.of("worker", worker, "workerClaim", claimedWorkerSid));
        if (answer.status() != 200) {
            throw new IllegalStateException("no token for " + worker + ": " + answer);
        }
        return new Agent(baseUrl, answer.body().path("token").asText());
    }

    /** A token for a worker of the demo workspace, for callers that build their own requests. */
    public static String token(String baseUrl, String worker) {
        return signIn(baseUrl, worker).token;
    }

    /** A caller holding the token given (for tests of tokens a sign-in would not give). */
    public static Agent withToken(String baseUrl, String token) {
        return new Agent(baseUrl, token);
    }

    /** A caller with no token at all. */
    public static Agent anonymous(String baseUrl) {
        return new Agent(baseUrl, null);
    }

    public Answer get(String path) {
        return send(baseUrl, token, "GET", path, null);
    }

    public Answer post(String path, Object body) {
        return send(baseUrl, token, "POST", path, body);
    }

    public Answer delete(String path) {
        return send(baseUrl, token, "DELETE", path, null);
    }

    private static Answer send(String baseUrl, String token, String method, String path, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String text = response.body();
            return new Answer(response.statusCode(), text == null || text.isBlank() ? Json.MAPPER.nullNode() : Json.parse(text, "the answer"));
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
