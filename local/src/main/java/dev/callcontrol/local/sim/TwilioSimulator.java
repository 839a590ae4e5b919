package dev.callcontrol.local.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.callcontrol.twilio.UrlConnectionTwilioClient;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful stand-in for Twilio's REST API on loopback, at Twilio's own paths: the product reaches
 * it only through {@code TWILIO_API_BASE_URL}. It authenticates like Twilio (HTTP basic with the
 * account SID and auth token, or with an API key's SID and secret, {@link #acceptApiKey}), answers Twilio-shaped resources and errors, checks every request
 * against Twilio's OpenAPI contract, logs every request, and injects faults on demand. The control
 * API under {@code /sim} ({@link ControlApi}) drives and inspects it. The paths of each product are
 * {@link VoiceRoutes} and {@link TaskRouterRoutes}.
 */
public final class TwilioSimulator implements AutoCloseable {
    /** What the simulator answers to. */
    public record Settings(String host, int port, String accountSid, String authToken, Optional<ContractCheck> contract) {
    }

    static final int MAX_BODY = 1024 * 1024;
    /** Twilio's resources carry explicit nulls (next_page_url, links), which clients read, so they are kept. */
    private static final com.fasterxml.jackson.databind.ObjectMapper TWILIO_JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder().build();

    private final Settings settings;
    private final HttpServer server;
    private final ExecutorService executor;
    private final SimWorld world;
    private final RestCredentials credentials;
    private final RequestLog log = new RequestLog();
    private final Faults faults = new Faults();
    private final ControlApi control;
    private final List<Route> routes = new ArrayList<>();

    /** A path pattern, its method and handler; {@code list} for a list, whose paging parameters {@link Paging} checks. */
    private record Route(String method, Pattern pattern, Handler handler, boolean list) {
    }

    @FunctionalInterface
    interface Handler {
        Object handle(Call call);
    }

    /** One REST request: path variables, parameters (query and form), and headers. */
    record Call(Matcher path, Map<String, List<String>> parameters, Map<String, String> headers, String body) {
        Call(Matcher path, Map<String, List<String>> parameters, Map<String, String> headers) {
            this(path, parameters, headers, "");
        }

        String variable(int group) {
            return path.group(group);
        }

        String first(String name) {
            List<String> values = parameters.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    private boolean opened;

    private TwilioSimulator(Settings settings) throws IOException {
        this.settings = settings;
        this.world = new SimWorld(settings.accountSid(), settings.authToken(), settings.contract());
        this.credentials = new RestCredentials(settings.accountSid(), settings.authToken());
        this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 64);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        TaskRouterRoutes.register(this, world);
        VoiceRoutes.register(this, world);
        // Twilio IAM (iam.twilio.com), for Flex tokens: the one route of its API the product calls.
        route("POST", "/v1/Accounts/(AC[0-9a-fA-F]{32})/Tokens/validate", world.flexTokens::validate);
        this.control = new ControlApi(world, log, faults, settings.contract().isPresent());
        server.createContext("/", this::serve);
        server.setExecutor(executor);
    }

    public static TwilioSimulator start(Settings settings) throws IOException {
        TwilioSimulator simulator = bind(settings);
        simulator.open();
        return simulator;
    }

    /**
     * The simulator with its port bound (so {@link #baseUrl()} is known) but answering nothing yet:
     * a request that arrives before {@link #open()} waits in the socket's backlog instead of
     * reaching a workspace whose assignment callback is not connected yet.
     */
    public static TwilioSimulator bind(Settings settings) throws IOException {
        return new TwilioSimulator(settings);
    }

    /** Starts answering, including whatever arrived since {@link #bind}. */
    public synchronized void open() {
        if (!opened) {
            server.start();
            opened = true;
        }
    }

    void route(String method, String regex, Handler handler) {
        routes.add(new Route(method, Pattern.compile("^" + regex + "$"), handler, false));
    }

    /** A list: a GET route whose answer is one page ({@link Paging}). */
    void list(String regex, Handler handler) {
        routes.add(new Route("GET", Pattern.compile("^" + regex + "$"), handler, true));
    }

    private boolean isList(String method, String path) {
        return routes.stream().anyMatch(route -> route.list() && route.method().equals(method) && route.pattern().matcher(path).matches());
    }

    /** The Flex tokens the simulated IAM validates; the local runtime's {@code POST /dev/flex-token} mints them here. */
    public FlexTokens flexTokens() {
        return world.flexTokens;
    }

    /**
     * Runs {@code action} every {@code period} of simulated time, as {@code POST /sim/clock/advance}
     * passes each tick, outside the simulator's lock and after the webhooks before it have settled:
     * how the local runtime runs the product's scheduled functions on the simulator's clock.
     */
    /**
     * The simulator's time as a {@link java.time.Clock}, for the product the local runtime runs
     * against it: what the product times (a hold, a transfer waiting for its target) then moves as
     * the simulator's calls do, when {@code POST /sim/clock/advance} moves it.
     */
    public java.time.Clock clock() {
        return new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return java.time.Clock.fixed(instant(), zone);
            }

            @Override
            public java.time.Instant instant() {
                return world.now();
            }
        };
    }

    public void every(String what, java.time.Duration period, Runnable action) {
        world.every(what, period, action);
    }

    public String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public boolean contractChecked() {
        return settings.contract().isPresent();
    }

    /**
     * Points the demo workflow's assignment callback and the workspace's event callback at the
     * product, as a deployment does once in the Twilio console or with the workflow command.
     */
    public void connectProduct(String assignmentCallbackUrl, String eventCallbackUrl) {
        connectProduct(assignmentCallbackUrl, null, eventCallbackUrl);
    }

    /** As {@link #connectProduct(String, String)}, with the workflow's fallback assignment callback URL too. */
    public void connectProduct(String assignmentCallbackUrl, String fallbackAssignmentCallbackUrl, String eventCallbackUrl) {
        synchronized (world) {
            Map<String, Object> workflow = world.taskRouter.workflows().get(DemoWorkspace.WORKFLOW_SID);
            if (assignmentCallbackUrl != null) {
                workflow.put("assignment_callback_url", assignmentCallbackUrl);
            }
            if (fallbackAssignmentCallbackUrl != null) {
                workflow.put("fallback_assignment_callback_url", fallbackAssignmentCallbackUrl);
            }
            if (eventCallbackUrl != null) {
                world.taskRouter.setEventCallback(eventCallbackUrl);
            }
        }
    }

    @Override
    public void close() {
        // The JDK's server releases its port only from its running dispatcher: one never opened is opened to be stopped.
        open();
        server.stop(0);
        world.close();
        executor.shutdownNow();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (path.startsWith("/sim/") || path.equals("/sim")) {
                control.serve(exchange, path);
            } else {
                rest(exchange, path);
            }
        }
    }

    private void rest(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String rawQuery = exchange.getRequestURI().getRawQuery();
        byte[] bytes = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
        String body = new String(bytes, StandardCharsets.UTF_8);
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        Map<String, List<String>> query = new LinkedHashMap<>();
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        String host = Optional.ofNullable(exchange.getRequestHeaders().getFirst(UrlConnectionTwilioClient.ORIGINAL_HOST_HEADER))
                .orElse(path.startsWith("/v1/") ? "taskrouter.twilio.com" : "api.twilio.com");
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));

        List<String> violations = List.of();
        Map<String, String> answerHeaders = null;
        int status;
        String response;
        Faults.Effect fault = null;
        try {
            if (!List.of("GET", "POST", "DELETE").contains(method)) {
                throw new TwilioError(405, 20004, "Method not allowed");
            }
            if (bytes.length > MAX_BODY) {
                throw new TwilioError(413, 20001, "The request body is too large");
            }
            query.putAll(decode(rawQuery));
            parameters.putAll(query);
            if (contentType != null && contentType.startsWith("application/x-www-form-urlencoded")) {
                decode(body).forEach((name, values) -> parameters.computeIfAbsent(name, k -> new ArrayList<>()).addAll(values));
            }
            if (!credentials.authenticated(headers.get("authorization"))) {
                throw new TwilioError(401, 20003, "Authenticate");
            }
            if (isList(method, path)) {
                // Twilio's own answer to a page over its maximum (20007), which the spec's maximum would turn into 20001.
                Paging.refuseOversized(query);
            }
            // twilio-oai has no IAM API, so iam.twilio.com's requests have no contract to check.
            if (settings.contract().isPresent() && !FlexTokens.IAM_HOST.equals(host)) {
                violations = settings.contract().get().violations(method, path, query, contentType, body, headers.get("authorization"));
                if (!violations.isEmpty()) {
                    throw TwilioError.invalidParameter("Request does not match Twilio's API contract: " + String.join("; ", violations));
                }
            }
            // Faults count only requests Twilio would have accepted: refused ones never reach its services.
            fault = faults.match(method, path);
            if (fault != null && fault.refuses()) {
                throw faultError(fault.status());
            }
            if (fault != null && fault.hang() && !fault.after()) {
                // The connection is lost before the request reaches Twilio: nothing is executed.
                status = 0;
                response = null;
            } else {
                Answer answer = dispatch(method, path, parameters, headers, body);
                if (fault != null && fault.after() && fault.status() > 0) {
                    // Executed, but the client is told it failed.
                    throw faultError(fault.status());
                }
                status = answer.status();
                response = answer.json();
                answerHeaders = answer.headers();
            }
        } catch (TwilioError e) {
            status = e.status;
            response = twilioJson(e.body());
        } catch (RuntimeException e) {
            // A simulator bug must still answer like Twilio's 500, never drop the connection.
            System.err.println("[simulator] " + method + " " + path + " failed: " + e);
            status = 500;
            response = twilioJson(new TwilioError(500, 20500, "Internal Server Error").body());
        }
        Instant received = Instant.now();
        if (fault != null && fault.delayMillis() > 0) {
            sleep(fault.delayMillis());
        }
        log.add(new RequestLog.Entry(received.toString(), Instant.now().toString(), method, host, path, parameters, status, violations,
                fault != null ? fault.describe() : null, RestCredentials.username(headers.get("authorization"))));
        if (fault != null && fault.hang()) {
            // A dead upstream: the client waits out the delay, then sees the connection close with no answer.
            return;
        }
        write(exchange, status, status == 204 ? null : response, answerHeaders);
    }

    private static TwilioError faultError(int status) {
        return switch (status) {
            case 429 -> new TwilioError(429, 20429, "Too Many Requests");
            case 503 -> new TwilioError(503, 20503, "Service Unavailable");
            default -> new TwilioError(status, 20500, "Internal Server Error");
        };
    }

    /** A REST answer, serialised while the state it shows was locked. */
    private record Answer(int status, String json, Map<String, String> headers) {
    }

    /** A handler's result with its own status and headers (an ETag, say). */
    record Answered(int status, Object resource, Map<String, String> headers) {
    }

    private Answer dispatch(String method, String path, Map<String, List<String>> parameters, Map<String, String> headers, String body) {
        boolean pathKnown = false;
        for (Route route : routes) {
            Matcher matcher = route.pattern().matcher(path);
            if (matcher.matches()) {
                pathKnown = true;
                if (route.method().equals(method)) {
                    synchronized (world) {
                        Object result = route.handler().handle(new Call(matcher, parameters, headers, body));
                        if (method.equals("DELETE")) {
                            return new Answer(204, null, null);
                        }
                        if (result instanceof Answered answered) {
                            return new Answer(answered.status(), twilioJson(answered.resource()), answered.headers());
                        }
                        return result instanceof Created created
                                ? new Answer(201, twilioJson(created.resource()), null)
                                : new Answer(200, twilioJson(result), null);
                    }
                }
            }
        }
        if (pathKnown) {
            throw new TwilioError(405, 20004, "Method not allowed");
        }
        throw TwilioError.notFound(path);
    }

    /**
     * Accepts HTTP basic credentials of an API key from now on: its SID as the username, its secret
     * as the password, acting for the simulator's account. [rule rest.auth.api-key]
     */
    public void acceptApiKey(String keySid, String keySecret) {
        credentials.acceptApiKey(keySid, keySecret);
    }

    /** A resource the handler created: answered with 201. */
    record Created(Object resource) {
    }

    static String twilioJson(Object value) {
        try {
            return TWILIO_JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a simulator answer", e);
        }
    }

    static Map<String, List<String>> decode(String encoded) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw TwilioError.invalidParameter("Malformed %-escape in a parameter name");
            }
            String value;
            try {
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw TwilioError.invalidParameter("Malformed %-escape in parameter " + name);
            }
            values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return values;
    }

    static void write(HttpExchange exchange, int status, String body, Map<String, String> headers) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (headers != null) {
            headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        }
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
