package dev.callcontrol.agent;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The decision of the agent API's Lambda authorizer when {@code AgentAuth} is {@code flex}: the
 * {@code Authorization: Bearer <Flex token>} header is valid when Twilio IAM says so
 * ({@link FlexTokenValidator}), the token is not a guest's, it names a TaskRouter worker, and it
 * has not expired. The context it hands to the functions (API Gateway's
 * {@code requestContext.authorizer.lambda}) is what {@link Principal#fromAuthorizerContext} reads:
 * {@value #WORKER_SID}, {@value #ROLES} (space separated) and {@value #EXPIRES} (epoch seconds).
 *
 * <p>API Gateway caches a decision for the authorizer's fixed TTL, keyed on the header. A token
 * that expires sooner would still be let through from the cache, so the functions refuse a
 * context whose {@value #EXPIRES} has passed: no token works past its expiration, whatever the TTL.
 */
public final class FlexAuthorizer {
    public static final String WORKER_SID = "worker_sid";
    public static final String ROLES = "roles";
    public static final String EXPIRES = "expires";
    public static final String IDENTITY = "identity";
    private static final Pattern WORKER = Pattern.compile("^WK[0-9a-fA-F]{32}$");
    /** Larger than any Flex token (JWTs of a few kilobytes); a header beyond it is not sent to IAM. */
    private static final int MAX_TOKEN_CHARS = 8192;

    /** Allowed with a context, or refused with the reason (logged, never sent to the caller). */
    public record Decision(boolean authorized, Map<String, String> context, String reason) {
        static Decision refuse(String reason) {
            return new Decision(false, Map.of(), reason);
        }
    }

    private final FlexTokenValidator validator;
    private final Clock clock;

    public FlexAuthorizer(FlexTokenValidator validator, Clock clock) {
        this.validator = validator;
        this.clock = clock;
    }

    /**
     * The decision on an {@code Authorization} header. {@link FlexTokenValidator.Unavailable} when IAM
     * cannot say: the authorizer then fails, API Gateway answers 500 and caches nothing, so a short
     * IAM outage does not lock agents out for the cache's TTL.
     */
    public Decision decide(String authorization) {
        String token = bearer(authorization);
        if (token == null) {
            return Decision.refuse("no bearer token");
        }
        FlexTokenValidator.Result result = validator.validate(token);
        if (!result.valid()) {
            return Decision.refuse("Twilio IAM: " + result.message());
        }
        if (result.roles().contains("guest")) {
            return Decision.refuse("a guest's token");
        }
        if (result.workerSid() == null || !WORKER.matcher(result.workerSid()).matches()) {
            return Decision.refuse("the token names no TaskRouter worker");
        }
        Instant now = clock.instant();
        if (result.expiration() == null || !result.expiration().isAfter(now)) {
            return Decision.refuse(result.expiration() == null ? "IAM gave no expiration" : "the token has expired");
        }
        Map<String, String> context = new LinkedHashMap<>();
        context.put(WORKER_SID, result.workerSid());
        context.put(ROLES, String.join(" ", result.roles()));
        context.put(EXPIRES, Long.toString(result.expiration().getEpochSecond()));
        if (result.identity() != null) {
            context.put(IDENTITY, result.identity());
        }
        return new Decision(true, Map.copyOf(context), null);
    }

    /** The token of a {@code Bearer} header, or null when there is none worth asking IAM about. */
    static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        if (token.isEmpty() || token.length() > MAX_TOKEN_CHARS || !token.chars().allMatch(c -> c > 32 && c < 127)) {
            return null;
        }
        return token;
    }
}
