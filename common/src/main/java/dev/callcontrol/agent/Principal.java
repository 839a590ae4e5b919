package dev.callcontrol.agent;

import dev.callcontrol.http.HttpError;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Who is calling the agent API, from the claims API Gateway's JWT authorizer has already verified
 * (or the context of the Flex authorizer):
 * the TaskRouter worker they are, and whether they hold the supervisor role.
 */
public record Principal(String workerSid, boolean supervisor) {
    private static final Pattern WORKER_SID = Pattern.compile("^WK[0-9a-fA-F]{32}$");

    /**
     * Reads the principal from verified claims. No claims means the request did not pass an
     * authorizer (401); a token without a valid worker SID is not allowed to act (403).
     */
    public static Principal fromClaims(Map<String, String> claims, String workerClaim, String groupsClaim, String supervisorGroup) {
        if (claims == null || claims.isEmpty()) {
            throw new HttpError(401, "unauthenticated", "a valid bearer token is required");
        }
        String worker = claims.get(workerClaim);
        if (worker == null || !WORKER_SID.matcher(worker.trim()).matches()) {
            throw new HttpError(403, "not_a_worker", "the token carries no TaskRouter worker SID in claim " + workerClaim);
        }
        return new Principal(worker.trim(), groups(claims.get(groupsClaim)).contains(supervisorGroup));
    }

    /**
     * Reads the principal from the context of the Flex authorizer ({@link FlexAuthorizer}): its
     * worker, and the supervisor role when Flex gave the token {@code supervisor} or {@code admin}.
     * API Gateway may serve the context from its cache after the token has expired; then it is a 401.
     */
    public static Principal fromAuthorizerContext(Map<String, Object> context, java.time.Instant now) {
        if (context == null || context.isEmpty()) {
            throw new HttpError(401, "unauthenticated", "a valid bearer token is required");
        }
        Object expires = context.get(FlexAuthorizer.EXPIRES);
        long expiresAt;
        try {
            expiresAt = Long.parseLong(String.valueOf(expires).trim());
        } catch (NumberFormatException e) {
            throw new HttpError(401, "unauthenticated", "the authorizer gave no expiration for the token");
        }
        if (now.getEpochSecond() >= expiresAt) {
            throw new HttpError(401, "token_expired", "the Flex token has expired");
        }
        Object worker = context.get(FlexAuthorizer.WORKER_SID);
        if (worker == null || !WORKER_SID.matcher(String.valueOf(worker).trim()).matches()) {
            throw new HttpError(403, "not_a_worker", "the Flex token names no TaskRouter worker");
        }
        Set<String> roles = groups(context.get(FlexAuthorizer.ROLES) == null ? null : String.valueOf(context.get(FlexAuthorizer.ROLES)));
        return new Principal(String.valueOf(worker).trim(), roles.contains("supervisor") || roles.contains("admin"));
    }

    /**
     * The groups in a claim, each exactly as named. HTTP APIs pass an array claim as {@code [a b]},
     * its elements separated by spaces; a plain string is one group or several separated by spaces.
     * Only whitespace separates: Cognito's group names cannot hold it (GroupName's pattern is
     * {@code [\p{L}\p{M}\p{S}\p{N}\p{P}]+}), but they can hold commas and quotes, so a group named
     * {@code x,supervisors} is that one group and never the supervisor group (issue 19, finding 8).
     */
    static Set<String> groups(String claim) {
        if (claim == null || claim.isBlank()) {
            return Set.of();
        }
        String inner = claim.trim();
        if (inner.startsWith("[") && inner.endsWith("]")) {
            inner = inner.substring(1, inner.length() - 1);
        }
        return Arrays.stream(inner.split("\\s+")).filter(g -> !g.isEmpty()).collect(Collectors.toSet());
    }
}
