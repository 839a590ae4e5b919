package dev.callcontrol.local.sim;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Flex tokens and Twilio IAM's {@code POST /v1/Accounts/{AccountSid}/Tokens/validate} (host
 * {@code iam.twilio.com}), which twilio-flex-token-validator calls. twilio-oai has no IAM API: the
 * contract is the validator's source and README (https://github.com/twilio/twilio-flex-token-validator,
 * src/index.ts and README.md "Token Result"), and the rules below say where it stops.
 *
 * <p>The simulator issues tokens itself ({@link #mint}, which the local runtime's
 * {@code POST /dev/flex-token} calls): opaque random strings standing for the JWTs Flex gives a
 * signed-in user, each with the worker, roles and expiry IAM reports for it.
 */
public final class FlexTokens {
    /** What IAM knows of one token. */
    record Issued(String workerSid, List<String> roles, String identity, String realmUserId, Instant expiration) {
    }

    /** Twilio IAM's host, as the product names it in X-Twilio-Original-Host. */
    static final String IAM_HOST = "iam.twilio.com";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SimWorld world;
    private final Map<String, Issued> issued = new ConcurrentHashMap<>();

    FlexTokens(SimWorld world) {
        this.world = world;
    }

    /** A new token for a worker (null for none, as a guest's), valid for {@code lifetime} of simulated time. */
    public String mint(String workerSid, List<String> roles, String identity, Duration lifetime) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = "flex-sim." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        issued.put(token, new Issued(workerSid, List.copyOf(roles), identity, identity + "@example.com", world.clock.now().plus(lifetime)));
        return token;
    }

    /**
     * {@code POST /v1/Accounts/{AccountSid}/Tokens/validate}, JSON body {@code {"token": "..."}}.
     * [rule iam.token-validate.request] [rule iam.token-validate.result] [rule iam.token-validate.invalid-status]
     */
    Object validate(TwilioSimulator.Call call) {
        if (!call.variable(1).equals(world.accountSid) || !accountCredentials(call.headers().get("authorization"))) {
            // Only the account's own SID and auth token, as the validator sends them.
            throw new TwilioError(401, 20003, "Authenticate");
        }
        String token = tokenOf(call.body());
        Issued found = token == null ? null : issued.get(token);
        if (found == null) {
            return invalid(20101, "Invalid Access Token");
        }
        if (!found.expiration().isAfter(world.clock.now())) {
            return invalid(20104, "Access Token expired or expiration date invalid");
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("valid", true);
        result.put("code", 0);
        result.put("message", null);
        result.put("expiration", found.expiration().toString());
        result.put("realm_user_id", found.realmUserId());
        result.put("identity", found.identity());
        result.put("roles", found.roles());
        if (found.workerSid() != null) {
            result.put("worker_sid", found.workerSid());
        }
        return result;
    }

    private Object invalid(int code, String message) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("valid", false);
        result.put("code", code);
        result.put("message", message);
        int status = world.rules.is("iam.token-validate.invalid-status", "unauthorized-401") ? 401 : 200;
        return new TwilioSimulator.Answered(status, result, null);
    }

    private boolean accountCredentials(String authorization) {
        if (authorization == null || !authorization.startsWith("Basic ")) {
            return false;
        }
        try {
            byte[] given = Base64.getDecoder().decode(authorization.substring(6).trim());
            return java.security.MessageDigest.isEqual(given, (world.accountSid + ":" + world.authToken).getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String tokenOf(String body) {
        if (body == null || body.isBlank()) {
            throw TwilioError.invalidParameter("the body must be JSON with a token");
        }
        try {
            com.fasterxml.jackson.databind.JsonNode json = dev.callcontrol.http.Json.MAPPER.readTree(body);
            if (json == null || !json.path("token").isTextual()) {
                throw TwilioError.invalidParameter("the body must be JSON with a token");
            }
            return json.path("token").asText();
        } catch (java.io.IOException e) {
            throw TwilioError.invalidParameter("the body must be JSON with a token");
        }
    }
}
