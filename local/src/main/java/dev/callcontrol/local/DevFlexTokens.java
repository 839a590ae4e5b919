package dev.callcontrol.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.twilio.rest.taskrouter.v1.workspace.Worker;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.sim.FlexTokens;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /dev/flex-token} {@code {"worker": "<name or WK sid>", "ttlSeconds": n, "roles": [...]}}:
 * a Flex token for a worker of the simulator's workspace, which the simulator's Twilio IAM then
 * validates (what Flex gives a signed-in user). The roles are {@code agent}, with {@code supervisor}
 * for a worker whose attributes list that role, unless the request gives them ({@code ["guest"]},
 * say); roles with no {@code "worker"} (or null) make a token that names no worker, as a guest's. Only against the
 * simulator: real Flex tokens come from Flex.
 */
final class DevFlexTokens implements HttpHandler {
    static final String PATH = "/dev/flex-token";

    private final DevTokens workers;
    /** Null when the runtime talks to real Twilio. */
    private final FlexTokens tokens;

    DevFlexTokens(DevTokens workers, FlexTokens tokens) {
        this.workers = workers;
        this.tokens = tokens;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        DevAnswers.postJson(exchange, PATH, "the token request", this::mint);
    }

    /** The token a request asks for, with what it says of the worker; refusals as {@link HttpError}s. */
    private Map<String, Object> mint(JsonNode request) {
        if (tokens == null) {
            throw new HttpError(409, "not_simulated", "Flex tokens are minted only against the simulator; sign in to Flex for a real one");
        }
        long ttl = request.path("ttlSeconds").asLong(3600);
        if (ttl < -3600 || ttl > 86_400) {
            throw HttpError.badRequest("ttlSeconds must be at most 86400");
        }
        List<String> roles = new ArrayList<>();
        request.path("roles").forEach(role -> roles.add(role.asText()));
        String workerSid = null;
        String name = "guest";
        JsonNode given = request.path("worker");
        if (!given.isNull() && !given.isMissingNode()) {
            String wanted = given.asText("");
            if (wanted.isBlank()) {
                throw HttpError.badRequest("'worker' must be a worker name or WK sid");
            }
            Worker worker = workers.find(wanted);
            workerSid = worker.getSid();
            name = worker.getFriendlyName();
            if (!request.has("roles")) {
                roles.add("agent");
                for (JsonNode role : Json.parse(worker.getAttributes(), "worker attributes").path("roles")) {
                    if (role.asText().equals("supervisor")) {
                        roles.add("supervisor");
                    }
                }
            }
        } else if (roles.isEmpty()) {
            throw HttpError.badRequest("'worker' (a worker name or WK sid) is required, or 'roles' for a token that names no worker");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("token", tokens.mint(workerSid, roles, name, Duration.ofSeconds(ttl)));
        out.put("workerSid", workerSid);
        out.put("name", name);
        out.put("roles", roles);
        out.put("expiresIn", ttl);
        return out;
    }
}
