package dev.callcontrol.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Does locally what an API Gateway HTTP API does in front of Lambda: match the request to a route of
 * template.yaml, build the payload 2.0 event (lower-case headers, base64 bodies for non-text media
 * such as form posts), invoke the handler in-process and write its response back.
 */
final class ApiGatewayEmulator implements HttpHandler {
    /** A route bound to the handler instance that serves it (one "container" per function). */
    record Binding(SamTemplate.Route route, SamTemplate.Function function,
                   RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler, Pattern pattern, List<String> names) {
    }

    private static final DateTimeFormatter REQUEST_TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);
    private static final Pattern PATH_VARIABLE = Pattern.compile("\\{([^}+]+)\\+?}");

    private final List<Binding> bindings;
    private final int maxBodyBytes;
    private final LocalAuthorizer authorizer;
    private final AgentExchange.Observers observers;
    /** With {@code LOCAL_AGENT_AUTH=flex}, the Lambda authorizer that replaces the JWT one; else null. */
    private final LocalFlexAuthorizer flex;
    private final RouteThrottles throttles;
    /** How many times each function was invoked, by logical ID. */
    private final Map<String, java.util.concurrent.atomic.LongAdder> invocations = new java.util.concurrent.ConcurrentHashMap<>();

    ApiGatewayEmulator(List<Binding> bindings, int maxBodyBytes) {
        this(bindings, maxBodyBytes, null, null, new AgentExchange.Observers(), RouteThrottles.none());
    }

    ApiGatewayEmulator(List<Binding> bindings, int maxBodyBytes, LocalAuthorizer authorizer, LocalFlexAuthorizer flex, AgentExchange.Observers observers,
                       RouteThrottles throttles) {
        this.throttles = throttles;
        this.authorizer = authorizer;
        this.flex = flex;
        this.observers = observers;
        // API Gateway prefers the most specific route: fewer path variables first, greedy ones last.
        this.bindings = bindings.stream()
                .sorted(java.util.Comparator.<Binding>comparingInt(b -> b.route().path().contains("+}") ? 1 : 0)
                        .thenComparingInt(b -> b.names().size()))
                .toList();
        this.maxBodyBytes = maxBodyBytes;
    }

    static Binding bind(SamTemplate.Route route, SamTemplate.Function function,
                        RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler) {
        List<String> names = new ArrayList<>();
        Matcher matcher = PATH_VARIABLE.matcher(route.path());
        StringBuilder regex = new StringBuilder("^");
        int last = 0;
        while (matcher.find()) {
            regex.append(Pattern.quote(route.path().substring(last, matcher.start())));
            boolean greedy = matcher.group().endsWith("+}");
            regex.append(greedy ? "(.+)" : "([^/]+)");
            names.add(matcher.group(1));
            last = matcher.end();
        }
        regex.append(Pattern.quote(route.path().substring(last))).append('$');
        return new Binding(route, function, handler, Pattern.compile(regex.toString()), names);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            String rawPath = exchange.getRequestURI().getRawPath();
            // A trailing slash is routed as the path without it, as API Gateway does (assumption, from
            // https://github.com/aws-powertools/powertools-lambda-python/pull/1577): /console/ is /console.
            String routed = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
            Binding match = null;
            Matcher matched = null;
            for (Binding binding : bindings) {
                Matcher m = binding.pattern().matcher(routed);
                if (m.matches() && (binding.route().method().equals(method) || "ANY".equals(binding.route().method()))) {
                    match = binding;
                    matched = m;
                    break;
                }
            }
            if (match == null && method.equals("OPTIONS") && cors(exchange)) {
                // The HttpApi's CORS configuration answers browsers' preflight requests itself.
                write(exchange, 204, new LinkedHashMap<>(), new byte[0]);
                return;
            }
            if (match == null) {
                write(exchange, 404, Map.of("Content-Type", "application/json"), "{\"message\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            byte[] body = readBody(exchange.getRequestBody());
            Answer answer = answer(exchange, match, body);
            if (!throttles.admit(match.route().method() + " " + match.route().path())) {
                // The route's token bucket is empty: API Gateway answers itself, before any authorizer or function.
                cors(exchange);
                answer.write(429, Map.of("Content-Type", "application/json"), "{\"message\":\"Too Many Requests\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (body == null) {
                answer.write(413, Map.of("Content-Type", "application/json"), "{\"message\":\"Request Entity Too Large\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            Map<String, String> pathParameters = new LinkedHashMap<>();
            for (int i = 0; i < match.names().size(); i++) {
                // Percent-escapes are decoded in path parameters; a '+' stays a '+', unlike in forms.
                pathParameters.put(match.names().get(i), URLDecoder.decode(matched.group(i + 1).replace("+", "%2B"), StandardCharsets.UTF_8));
            }
            Map<String, String> claims = null;
            Map<String, String> lambdaContext = null;
            if (match.route().authorized() && flex != null) {
                Map<String, String> lowered = new LinkedHashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> lowered.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
                LocalFlexAuthorizer.Outcome outcome = flex.authorize(exchange.getRequestHeaders().getFirst("Authorization"),
                        match.route().method() + " " + match.route().path(), rawPath, lowered);
                if (!outcome.allowed()) {
                    cors(exchange);
                    String message = switch (outcome.status()) {
                        case 401 -> "Unauthorized";
                        case 403 -> "Forbidden";
                        default -> "Internal Server Error";
                    };
                    answer.write(outcome.status(), Map.of("Content-Type", "application/json"),
                            ("{\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
                    return;
                }
                lambdaContext = outcome.context();
            } else if (match.route().authorized() && authorizer != null) {
                claims = authorizer.verify(exchange.getRequestHeaders().getFirst("Authorization"));
                if (claims == null) {
                    cors(exchange);
                    answer.write(401, Map.of("Content-Type", "application/json", "WWW-Authenticate", "Bearer"),
                            "{\"message\":\"Unauthorized\"}".getBytes(StandardCharsets.UTF_8));
                    return;
                }
            }
            cors(exchange);
            APIGatewayV2HTTPEvent event = event(exchange, match, method, rawPath, pathParameters, body, claims, lambdaContext);
            APIGatewayV2HTTPResponse response;
            invocations.computeIfAbsent(match.function().logicalId(), id -> new java.util.concurrent.atomic.LongAdder()).increment();
            try {
                response = match.handler().handleRequest(event, new LocalContext(match.function(), event.getRequestContext().getRequestId()));
            } catch (RuntimeException e) {
                // What API Gateway answers when the function itself fails.
                System.err.println("[local] " + match.function().logicalId() + " failed:");
                e.printStackTrace();
                answer.write(500, Map.of("Content-Type", "application/json"), "{\"message\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            respond(answer, exchange, response);
        }
    }

    /** Whether the agent routes are behind the Flex token authorizer ({@code LOCAL_AGENT_AUTH=flex}). */
    boolean takesFlexTokens() {
        return flex != null;
    }

    /** Whether any route is throttled. */
    boolean throttling() {
        return throttles.any();
    }

    /** How many times the function with this logical ID has been invoked through the API. */
    long invocations(String functionLogicalId) {
        var count = invocations.get(functionLogicalId);
        return count == null ? 0 : count.sum();
    }

    /** How a matched request is answered: written to the caller, and told to the observers when the route is an agent route. */
    private interface Answer {
        void write(int status, Map<String, String> headers, byte[] body) throws IOException;
    }

    private Answer answer(HttpExchange exchange, Binding match, byte[] requestBody) {
        if (!match.route().authorized() || !observers.any()) {
            return (status, headers, body) -> write(exchange, status, headers, body);
        }
        // Told before the answer is written: once a caller has its answer, the observers have seen the exchange.
        return (status, headers, body) -> {
            Map<String, List<String>> requestHeaders = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> requestHeaders.put(name, List.copyOf(values)));
            Map<String, String> responseHeaders = new LinkedHashMap<>();
            exchange.getResponseHeaders().forEach((name, values) -> responseHeaders.put(name, String.join(",", values)));
            responseHeaders.putAll(headers);
            observers.tell(new AgentExchange(match.route().method() + " " + match.route().path(), exchange.getRequestMethod().toUpperCase(Locale.ROOT),
                    exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery(), requestHeaders,
                    requestBody == null ? new byte[0] : requestBody, status, responseHeaders, body));
            write(exchange, status, headers, body);
        };
    }

    /** Adds the CORS headers the HttpApi adds for a browser origin; locally any origin is allowed. */
    private static boolean cors(HttpExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (origin == null) {
            return false;
        }
        var headers = exchange.getResponseHeaders();
        headers.set("Access-Control-Allow-Origin", origin);
        headers.set("Vary", "Origin");
        headers.set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key");
        headers.set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
        headers.set("Access-Control-Max-Age", "600");
        return true;
    }

    private APIGatewayV2HTTPEvent event(HttpExchange exchange, Binding binding, String method, String rawPath,
                                        Map<String, String> pathParameters, byte[] body, Map<String, String> claims,
                                        Map<String, String> lambdaContext) {
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if ("cookie".equals(lower)) {
                values.forEach(v -> cookies.addAll(List.of(v.split(";\\s*"))));
            } else {
                headers.put(lower, String.join(",", values));
            }
        });
        String rawQuery = exchange.getRequestURI().getRawQuery();
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decodeLeniently(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decodeLeniently(pair.substring(eq + 1));
                query.merge(name, value, (a, b) -> a + "," + b);
            }
        }
        String routeKey = binding.route().method() + " " + binding.route().path();
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String host = headers.getOrDefault("host", "127.0.0.1");
        var http = APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                .withMethod(method)
                .withPath(rawPath)
                .withProtocol(exchange.getProtocol())
                .withSourceIp(exchange.getRemoteAddress().getAddress().getHostAddress())
                .withUserAgent(headers.get("user-agent"))
                .build();
        var context = APIGatewayV2HTTPEvent.RequestContext.builder()
                .withAccountId("123456789012")
                .withApiId("local")
                .withDomainName(host)
                .withDomainPrefix(host.split("[.:]")[0])
                .withHttp(http)
                .withRequestId(UUID.randomUUID().toString())
                .withRouteKey(routeKey)
                .withStage("$default")
                .withTime(REQUEST_TIME.format(now))
                .withTimeEpoch(now.toInstant().toEpochMilli())
                .withAuthorizer(lambdaContext != null
                        ? APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder().withLambda(new LinkedHashMap<>(lambdaContext)).build()
                        : claims == null ? null : APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                        .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                                .withClaims(claims).withScopes(null).build())
                        .build())
                .build();
        boolean text = isText(headers.get("content-type"));
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(routeKey)
                .withRawPath(rawPath)
                .withRawQueryString(rawQuery == null ? "" : rawQuery)
                .withCookies(cookies.isEmpty() ? null : cookies)
                .withHeaders(headers)
                .withQueryStringParameters(query.isEmpty() ? null : query)
                .withPathParameters(pathParameters.isEmpty() ? null : pathParameters)
                .withRequestContext(context)
                .withBody(body.length == 0 ? null : text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body))
                .withIsBase64Encoded(body.length > 0 && !text)
                .build();
    }

    /** HTTP APIs pass JSON, XML and text/* bodies as they are and base64-encode everything else, forms included. */
    static boolean isText(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT).split(";")[0].trim();
        return type.startsWith("text/") || type.equals("application/json") || type.endsWith("+json")
                || type.equals("application/xml") || type.endsWith("+xml") || type.equals("application/javascript");
    }

    private static String decodeLeniently(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    private byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(maxBodyBytes + 1);
        return body.length > maxBodyBytes ? null : body;
    }

    private static void respond(Answer answer, HttpExchange exchange, APIGatewayV2HTTPResponse response) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        if (response.getHeaders() != null) {
            headers.putAll(response.getHeaders());
        }
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
        }
        if (response.getCookies() != null) {
            response.getCookies().forEach(cookie -> exchange.getResponseHeaders().add("Set-Cookie", cookie));
        }
        String body = response.getBody();
        byte[] bytes = body == null ? new byte[0]
                : response.getIsBase64Encoded() ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        int status = response.getStatusCode() == 0 ? 200 : response.getStatusCode();
        answer.write(status, headers, bytes);
    }

    private static void write(HttpExchange exchange, int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        boolean noBody = status == 204 || status == 304 || "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, noBody ? -1 : body.length == 0 ? -1 : body.length);
        if (!noBody && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
