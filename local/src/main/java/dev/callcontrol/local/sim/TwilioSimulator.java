package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.callcontrol.http.Json;
import dev.callcontrol.twilio.UrlConnectionTwilioClient;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
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
 * account SID and auth token), answers Twilio-shaped resources and errors, checks every request
 * against Twilio's OpenAPI contract, logs every request, and injects faults on demand. The control
 * API under {@code /sim} drives and inspects it.
 */
public final class TwilioSimulator implements AutoCloseable {
    /** What the simulator answers to. */
    public record Settings(String host, int port, String accountSid, String authToken, Optional<ContractCheck> contract) {
    }

    private static final int MAX_BODY = 1024 * 1024;
    /** Twilio's resources carry explicit nulls (next_page_url, links), which clients read, so they are kept. */
    private static final com.fasterxml.jackson.databind.ObjectMapper TWILIO_JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder().build();

    private final Settings settings;
    private final HttpServer server;
    private final ExecutorService executor;
    private final SimWorld world;
    private final RequestLog log = new RequestLog();
    private final Faults faults = new Faults();
    private final List<Route> routes = new ArrayList<>();

    private record Route(String method, Pattern pattern, Handler handler) {
    }

    @FunctionalInterface
    interface Handler {
        Object handle(Call call);
    }

    /** One REST request: path variables, parameters (query and form), and headers. */
    record Call(Matcher path, Map<String, List<String>> parameters, Map<String, String> headers) {
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
        this.world = new SimWorld(settings.accountSid(), settings.authToken());
        this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 64);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        TaskRouterRoutes.register(this, world);
        VoiceRoutes.register(this, world);
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
        routes.add(new Route(method, Pattern.compile("^" + regex + "$"), handler));
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
        synchronized (world) {
            Map<String, Object> workflow = world.taskRouter.workflows().get(DemoWorkspace.WORKFLOW_SID);
            if (assignmentCallbackUrl != null) {
                workflow.put("assignment_callback_url", assignmentCallbackUrl);
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
                control(exchange, path);
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
            if (!authenticated(headers.get("authorization"))) {
                throw new TwilioError(401, 20003, "Authenticate");
            }
            if (settings.contract().isPresent()) {
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
                Answer answer = dispatch(method, path, parameters, headers);
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
                fault != null ? fault.describe() : null));
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

    private Answer dispatch(String method, String path, Map<String, List<String>> parameters, Map<String, String> headers) {
        boolean pathKnown = false;
        for (Route route : routes) {
            Matcher matcher = route.pattern().matcher(path);
            if (matcher.matches()) {
                pathKnown = true;
                if (route.method().equals(method)) {
                    synchronized (world) {
                        Object result = route.handler().handle(new Call(matcher, parameters, headers));
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

    private boolean authenticated(String authorization) {
        if (authorization == null || !authorization.startsWith("Basic ")) {
            return false;
        }
        String expected = settings.accountSid() + ":" + settings.authToken();
        try {
            String given = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            return java.security.MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static final Pattern WORKER_ACTIVITY = Pattern.compile("^/sim/workers/([^/]+)/activity$");
    private static final Pattern CALL_ACTION = Pattern.compile("^/sim/calls/(CA[0-9a-fA-F]{32})/(answer|decline|busy|fail|hangup)$");
    private static final Duration SETTLE = Duration.ofSeconds(20);

    /**
     * The control API. Every request first lets the simulator settle (webhooks delivered, the
     * product's answers applied) and settles again after acting, so a test reads a settled world.
     */
    private void control(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String body = new String(exchange.getRequestBody().readNBytes(MAX_BODY), StandardCharsets.UTF_8);
        try {
            settle();
            Object response = switch (method + " " + path) {
                case "GET /sim/health" -> Map.of("status", "ok", "contractChecked", contractChecked());
                case "GET /sim/workers" -> locked(this::directory);
                case "GET /sim/requests" -> log.entries();
                case "DELETE /sim/requests" -> {
                    log.clear();
                    yield Map.of("cleared", true);
                }
                case "GET /sim/faults" -> faults.rules();
                case "POST /sim/faults" -> faults.add(Json.parse(body, "the fault"));
                case "POST /sim/webhooks/replay" -> Map.of("replayed", world.outbox.replay(Math.max(1, Json.parse(body, "the replay").path("count").asInt(1))));
                case "DELETE /sim/faults" -> {
                    faults.clear();
                    yield Map.of("cleared", true);
                }
                case "GET /sim/hearing" -> locked(() -> Map.of("time", world.now().toString(), "calls", world.hearing.hearing()));
                case "GET /sim/calls" -> locked(() -> world.hearing.hearing());
                case "POST /sim/calls" -> {
                    JsonNode request = Json.parse(body, "the call");
                    String from = text(request, "from");
                    String to = request.path("to").asText(DemoWorkspace.PHONE_NUMBER);
                    RawJson answer = locked(() -> Map.of("callSid", world.calls.dialIn(from, to).sid));
                    settle();
                    yield answer;
                }
                case "GET /sim/tasks" -> locked(() -> world.tasks.describe());
                case "GET /sim/clock" -> locked(world.clock::describe);
                case "POST /sim/clock/advance" -> {
                    JsonNode request = Json.parse(body, "the clock advance");
                    long seconds = request.path("seconds").asLong(-1);
                    if (seconds < 0 || seconds > 30L * 86_400) {
                        throw new TwilioError(400, 20001, "seconds must be between 0 and 2592000");
                    }
                    world.advance(Duration.ofSeconds(seconds), SETTLE);
                    yield locked(world.clock::describe);
                }
                case "GET /sim/alerts" -> world.alerts();
                case "DELETE /sim/alerts" -> {
                    world.clearAlerts();
                    yield Map.of("cleared", true);
                }
                default -> {
                    Matcher activity = WORKER_ACTIVITY.matcher(path);
                    if (method.equals("POST") && activity.matches()) {
                        JsonNode request = Json.parse(body, "the activity");
                        String worker = URLDecoder.decode(activity.group(1), StandardCharsets.UTF_8);
                        RawJson answer = locked(() -> world.workers.setActivity(worker, request.path("activity").asText()));
                        settle();
                        yield answer;
                    }
                    Matcher action = CALL_ACTION.matcher(path);
                    if (method.equals("POST") && action.matches()) {
                        RawJson answer = locked(() -> {
                            SimCall call = world.calls.find(action.group(1));
                            if (call == null) {
                                throw new TwilioError(404, 20404, "No call " + action.group(1));
                            }
                            if (!call.live()) {
                                throw new TwilioError(409, 20001, "Call " + call.sid + " has already ended (" + call.status + ")");
                            }
                            switch (action.group(2)) {
                                case "answer" -> world.calls.answer(call);
                                case "decline", "busy" -> requireRinging(call, () -> world.calls.unanswered(call, "busy"));
                                case "fail" -> requireRinging(call, () -> world.calls.unanswered(call, "failed"));
                                default -> {
                                    if (call.status.equals("in-progress")) {
                                        world.calls.end(call, "completed");
                                    } else {
                                        world.calls.unanswered(call, call.direction.equals("inbound") ? "canceled" : "busy");
                                    }
                                }
                            }
                            return world.calls.callJson(call);
                        });
                        settle();
                        yield answer;
                    }
                    throw new TwilioError(404, 20404, "No simulator control at " + method + " " + path);
                }
            };
            write(exchange, 200, response instanceof RawJson raw ? raw.json() : twilioJson(response), null);
        } catch (TwilioError e) {
            write(exchange, e.status, twilioJson(e.body()), null);
        } catch (dev.callcontrol.http.HttpError e) {
            write(exchange, e.status(), Json.write(Map.of("code", 20001, "message", e.getMessage(), "status", e.status())), null);
        } catch (RuntimeException e) {
            System.err.println("[simulator] " + method + " " + path + " failed: " + e);
            write(exchange, 500, twilioJson(new TwilioError(500, 20500, "Internal Server Error").body()), null);
        }
    }

    private static void requireRinging(SimCall call, Runnable action) {
        if (call.status.equals("in-progress")) {
            throw new TwilioError(409, 20001, "Call " + call.sid + " was already answered; hang it up instead");
        }
        action.run();
    }

    private static String text(JsonNode request, String field) {
        String value = request.path(field).asText(null);
        if (value == null || value.isBlank()) {
            throw new TwilioError(400, 20001, "'" + field + "' is required");
        }
        return value;
    }

    private void settle() {
        if (!world.outbox.awaitIdle(SETTLE)) {
            System.err.println("[simulator] still delivering webhooks after " + SETTLE.toSeconds() + "s");
        }
    }

    /** The seeded workspace at a glance, with each worker's current tasks. */
    private Map<String, Object> directory() {
        Map<String, Object> directory = world.taskRouter.directory();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> workers = (List<Map<String, Object>>) directory.get("workers");
        for (Map<String, Object> worker : workers) {
            worker.put("tasks", world.reservations.tasksOf((String) worker.get("sid")));
        }
        return directory;
    }

    /** JSON already serialised under the lock. */
    private record RawJson(String json) {
    }

    private RawJson locked(java.util.function.Supplier<Object> work) {
        synchronized (world) {
            return new RawJson(twilioJson(work.get()));
        }
    }

    /** A resource the handler created: answered with 201. */
    record Created(Object resource) {
    }

    private static String twilioJson(Object value) {
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

    private static void write(HttpExchange exchange, int status, String body, Map<String, String> headers) throws IOException {
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
