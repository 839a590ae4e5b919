package dev.callcontrol.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.SimpleIAMPolicyResponse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the HttpApi does with a Lambda REQUEST authorizer (payload 2.0, simple responses, identity
 * source {@code $request.header.Authorization}), locally, for {@code LOCAL_AGENT_AUTH=flex}: no
 * Authorization header is a 401 without invoking the authorizer; otherwise the authorizer function of
 * template.yaml runs in-process, {@code isAuthorized: false} is a 403, a failing authorizer a 500; an
 * answer is cached per header value for the authorizer's TTL ({@code ReauthorizeEvery}), as API
 * Gateway caches it, and its context reaches the function as {@code requestContext.authorizer.lambda}.
 */
final class LocalFlexAuthorizer {
    /** The outcome for one request: a context to pass on, or the status API Gateway answers. */
    record Outcome(int status, Map<String, String> context) {
        boolean allowed() {
            return status == 0;
        }
    }

    private record Cached(Outcome outcome, Instant until) {
    }

    private final RequestHandler<APIGatewayV2CustomAuthorizerEvent, SimpleIAMPolicyResponse> handler;
    private final SamTemplate.Function function;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    LocalFlexAuthorizer(RequestHandler<APIGatewayV2CustomAuthorizerEvent, SimpleIAMPolicyResponse> handler, SamTemplate.Function function,
                        Duration ttl, Clock clock) {
        this.handler = handler;
        this.function = function;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** {@code LOCAL_AGENT_AUTH} (or the system property {@code local.agentAuth}): {@code jwt} (default) or {@code flex}. */
    static final String MODE_VARIABLE = "LOCAL_AGENT_AUTH";

    /** Whether the runtime's environment asks for the Flex authorizer. */
    static boolean wanted(Map<String, String> environment) {
        String mode = environment.get(MODE_VARIABLE);
        if (mode == null || mode.isBlank()) {
            mode = System.getProperty("local.agentAuth", "jwt");
        }
        return switch (mode.trim()) {
            case "jwt" -> false;
            case "flex" -> true;
            default -> throw new IllegalArgumentException(MODE_VARIABLE + " must be jwt or flex, not '" + mode + "'");
        };
    }

    /**
     * The template's Lambda authorizer (the one {@code AgentAuth=flex} selects), its handler already
     * made like every function's, its TTL read from the template's parameters.
     */
    @SuppressWarnings("unchecked")
    static LocalFlexAuthorizer of(SamTemplate template, Map<String, ? extends RequestHandler<?, ?>> handlers, Intrinsics intrinsics, Clock clock) {
        SamTemplate.LambdaAuthorizer authorizer = template.lambdaAuthorizers().stream().findFirst()
                .orElseThrow(() -> new IllegalStateException(MODE_VARIABLE + "=flex, but template.yaml's HttpApi has no Lambda authorizer"));
        SamTemplate.Function function = template.functions().stream().filter(f -> f.logicalId().equals(authorizer.functionLogicalId()))
                .findFirst().orElseThrow();
        Duration ttl = Duration.ofSeconds(Long.parseLong(intrinsics.resolve(authorizer.ttlSeconds()).trim()));
        return new LocalFlexAuthorizer((RequestHandler<APIGatewayV2CustomAuthorizerEvent, SimpleIAMPolicyResponse>) handlers.get(function.logicalId()),
                function, ttl, clock);
    }

    Outcome authorize(String authorization, String routeKey, String rawPath, Map<String, String> headers) {
        if (authorization == null || authorization.isBlank()) {
            return new Outcome(401, Map.of());
        }
        Instant now = clock.instant();
        Cached cached = cache.get(authorization);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.outcome();
        }
        APIGatewayV2CustomAuthorizerEvent event = APIGatewayV2CustomAuthorizerEvent.builder()
                .withVersion("2.0")
                .withType("REQUEST")
                .withRouteArn("arn:aws:execute-api:us-east-1:123456789012:local/$default/" + routeKey.replace(' ', '/'))
                .withIdentitySource(List.of(authorization))
                .withRouteKey(routeKey)
                .withRawPath(rawPath)
                .withRawQueryString("")
                .withHeaders(headers)
                .build();
        SimpleIAMPolicyResponse response;
        try {
            response = handler.handleRequest(event, new LocalContext(function, UUID.randomUUID().toString()));
        } catch (RuntimeException e) {
            // API Gateway answers 500 when the authorizer fails, and caches nothing.
            System.err.println("[local] " + function.logicalId() + " failed: " + e);
            return new Outcome(500, Map.of());
        }
        Outcome outcome = response != null && response.getIsAuthorized()
                ? new Outcome(0, response.getContext() == null ? Map.of() : Map.copyOf(response.getContext()))
                : new Outcome(403, Map.of());
        if (!ttl.isZero()) {
            cache.put(authorization, new Cached(outcome, now.plus(ttl)));
        }
        return outcome;
    }
}
