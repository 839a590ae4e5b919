package dev.callcontrol.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.twilio.base.ResourceSet;
import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.taskrouter.v1.workspace.Worker;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;
import dev.callcontrol.twilio.TwilioClients;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /dev/token} {@code {"worker": "<name or WK sid>", "ttlSeconds": n}} (and, to exercise
 * the authorizer, {@code "issuer"} or {@code "audience"} other than its own): mints a token
 * for a TaskRouter worker, found in the workspace the functions use (the simulator's demo
 * workspace by default). A worker whose attributes list the {@code supervisor} role gets the
 * supervisor group; a request's {@code groups} (a JSON array) replaces the groups. The token's
 * {@code sub} is the worker's {@code auth_sub} attribute (the user the worker is bound to) or, without
 * one, the worker SID; {@code "workerClaim"} puts another worker's SID in the worker claim, as a user
 * who could edit their own attribute would. That edit is refused (403 {@code attribute_not_writable})
 * when {@code AUTH_WORKER_BINDING} is {@code claim}: the claim is then trusted because the identity
 * provider is the template's user pool, whose app client cannot write it. Only the local runtime has
 * this route; deployments use the identity provider.
 */
final class DevTokens implements HttpHandler {
    static final String PATH = "/dev/token";

    private final LocalAuthorizer authorizer;
    private final Config config;
    private TwilioRestClient client;

    DevTokens(LocalAuthorizer authorizer, Config config) {
        this.authorizer = authorizer;
        this.config = config;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        DevAnswers.postJson(exchange, PATH, "the token request", this::mint);
    }

    /** The token a request asks for, with what it says of the worker; refusals as {@link HttpError}s. */
    private Map<String, Object> mint(JsonNode request) {
        String wanted = request.path("worker").asText("");
        if (wanted.isBlank()) {
            throw HttpError.badRequest("'worker' (a worker name or WK sid) is required");
        }
        long ttl = request.path("ttlSeconds").asLong(8 * 3600);
        if (ttl < -3600 || ttl > 7 * 86_400) {
            throw HttpError.badRequest("ttlSeconds must be at most 604800");
        }
        Worker worker = find(wanted);
        JsonNode attributes = Json.parse(worker.getAttributes(), "worker attributes");
        boolean supervisor = false;
        for (JsonNode role : attributes.path("roles")) {
            supervisor |= role.asText().equals("supervisor");
        }
        List<String> groups = supervisor ? List.of(config.supervisorGroup()) : List.of();
        if (request.has("groups")) {
            // Groups as given, to show how the functions read a claim the identity provider filled.
            List<String> given = new java.util.ArrayList<>();
            request.path("groups").forEach(group -> given.add(group.asText()));
            groups = List.copyOf(given);
        }
        // The user is the one the worker is bound to (auth_sub), as an identity provider's sub would be.
        String subject = attributes.path("auth_sub").isTextual() ? attributes.path("auth_sub").asText() : worker.getSid();
        // "workerClaim" stands for a user who edited their own worker attribute: the token names another worker.
        String claimed = request.path("workerClaim").asText(worker.getSid());
        if (!claimed.matches("^WK[0-9a-fA-F]{32}$")) {
            throw HttpError.badRequest("'workerClaim' must be a worker SID");
        }
        if (!claimed.equals(worker.getSid()) && config.authWorkerBinding() == Config.WorkerBinding.CLAIM) {
            // With the claim trusted as issued, this identity provider is the template's user pool, whose app client
            // cannot write the worker attribute: a user's edit of it is refused, as Cognito refuses a write outside
            // the client's WriteAttributes.
            throw new HttpError(403, "attribute_not_writable", "users cannot change their worker attribute ("
                    + config.authWorkerClaim() + " is not among the app client's WriteAttributes)");
        }
        // "issuer" and "audience" exist to show the authorizer refusing a token minted for somewhere else.
        String token = authorizer.mint(subject, claimed, worker.getFriendlyName(), groups, config.authWorkerClaim(), config.authGroupsClaim(),
                Duration.ofSeconds(ttl), request.path("issuer").asText(authorizer.issuer()), request.path("audience").asText(LocalAuthorizer.AUDIENCE));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("token", token);
        out.put("workerSid", worker.getSid());
        out.put("name", worker.getFriendlyName());
        out.put("groups", groups);
        out.put("expiresIn", ttl);
        return out;
    }

    /** A worker of the workspace by name or SID (404 / 502 as {@link HttpError}s). */
    synchronized Worker find(String wanted) {
        if (client == null) {
            client = TwilioClients.restClient(config);
        }
        try {
            if (wanted.matches("^WK[0-9a-fA-F]{32}$")) {
                return Worker.fetcher(config.workspaceSid(), wanted).fetch(client);
            }
            ResourceSet<Worker> found = Worker.reader(config.workspaceSid()).setFriendlyName(wanted).read(client);
            for (Worker worker : found) {
                return worker;
            }
            throw new HttpError(404, "unknown_worker", "no worker named " + wanted);
        } catch (ApiException e) {
            throw new HttpError(e.getStatusCode() != null && e.getStatusCode() == 404 ? 404 : 502, "unknown_worker",
                    "TaskRouter could not find worker " + wanted + ": " + e.getMessage());
        } catch (ApiConnectionException e) {
            throw new HttpError(502, "twilio_unavailable", "TaskRouter did not answer: " + e.getMessage());
        }
    }
}
