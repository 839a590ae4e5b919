package dev.callcontrol.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.sun.net.httpserver.HttpServer;
import dev.callcontrol.config.Setting;
import dev.callcontrol.local.sim.ContractCheck;
import dev.callcontrol.local.sim.TwilioSimulator;
import dev.callcontrol.store.DynamoDbClients;
import dev.callcontrol.store.TableSchema;
import dev.callcontrol.twilio.WebhookUrls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;

/**
 * Runs every route of template.yaml on localhost with no Docker: an API Gateway emulator in front
 * of the handlers (invoked in-process, one instance per function as Lambda keeps one per
 * container) and DynamoDB Local in memory with the template's tables.
 *
 * <p>It is the one place that starts and wires the pieces in order (the simulator bound before the
 * product's environment is built, the tables before the handlers, the schedules and /dev routes after
 * them) and undoes a half-done start; the pieces themselves live in their own classes
 * (ApiGatewayEmulator, FunctionContainers, LocalSecrets, Schedules, DevTokens, DynamoDbFaults, SamTemplate).
 */
public final class LocalRuntime implements AutoCloseable {
    /** What to start; {@link #fromEnvironment} reads it from LOCAL_* variables and the usual settings. */
    public record Options(Path template, String host, int port, int dynamoDbPort, int simulatorPort, TwilioMode twilio,
                          Map<String, String> environment) {
        public static Options fromEnvironment(Map<String, String> env) {
            TwilioMode twilio;
            String apiBase = env.get(Setting.TWILIO_API_BASE_URL.name());
            if (apiBase != null && !apiBase.isBlank()) {
                twilio = TwilioMode.CONFIGURED;
            } else {
                String mode = env.getOrDefault("LOCAL_TWILIO", "simulator");
                twilio = switch (mode) {
                    case "simulator" -> TwilioMode.SIMULATOR;
                    case "real" -> TwilioMode.REAL;
                    default -> throw new IllegalArgumentException("LOCAL_TWILIO must be simulator or real, not '" + mode + "'");
                };
            }
            return new Options(
                    locateTemplate(env.get("LOCAL_TEMPLATE")),
                    env.getOrDefault("LOCAL_HOST", LocalDefaults.HOST),
                    number(env, "LOCAL_PORT", LocalDefaults.PORT),
                    number(env, "LOCAL_DYNAMODB_PORT", 0),
                    number(env, "LOCAL_SIMULATOR_PORT", LocalDefaults.SIMULATOR_PORT),
                    twilio,
                    env);
        }

        /**
         * For a benchmark: this process's environment, but on free ports and with the simulator
         * whatever the environment says about Twilio, so it never disturbs a running local/run.
         */
        public static Options benchmark() {
            Map<String, String> env = new java.util.HashMap<>(System.getenv());
            env.put("LOCAL_PORT", "0");
            env.put("LOCAL_SIMULATOR_PORT", "0");
            env.remove(Setting.TWILIO_API_BASE_URL.name());
            env.remove("LOCAL_TWILIO");
            // A benchmark floods on purpose: API Gateway's route throttles would answer it instead of the functions.
            env.putIfAbsent(RouteThrottles.VARIABLE, "off");
            return fromEnvironment(env);
        }

        private static int number(Map<String, String> env, String name, int fallback) {
            String value = env.get(name);
            try {
                return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a port number, not '" + value + "'");
            }
        }
    }

    /** Where the functions' Twilio requests go. */
    public enum TwilioMode {
        /** The built-in simulator, started with the runtime (the default). */
        SIMULATOR,
        /** TWILIO_API_BASE_URL from the environment; no simulator is started. */
        CONFIGURED,
        /** Twilio itself, with the credentials and public URL from the environment (LOCAL_TWILIO=real). */
        REAL
    }

    /** A route as printed at start and used by tests. */
    public record ServedRoute(String method, String path, String function) {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final EmbeddedDynamoDb dynamoDb;
    private final TwilioSimulator simulator;
    private final URI dynamoDbEndpoint;
    private final List<ServedRoute> routes;
    private final Map<String, Map<String, String>> environments;
    private final Map<String, String> tableNames;
    private final Schedules schedules;
    /** In front of the embedded DynamoDB Local; null when DYNAMODB_ENDPOINT names another. */
    private final DynamoDbFaults dynamoDbFaults;
    private final AgentExchange.Observers agentApi;
    private final LocalSecrets secrets;
    private final ApiGatewayEmulator api;
    private final List<String> devPaths;

    private LocalRuntime(HttpServer server, ExecutorService executor, EmbeddedDynamoDb dynamoDb, TwilioSimulator simulator,
                         URI dynamoDbEndpoint, List<ServedRoute> routes, Map<String, Map<String, String>> environments,
                         Map<String, String> tableNames, Schedules schedules, DynamoDbFaults dynamoDbFaults, AgentExchange.Observers agentApi,
                         LocalSecrets secrets, ApiGatewayEmulator api, List<String> devPaths) {
        this.api = api;
        this.devPaths = devPaths;
        this.agentApi = agentApi;
        this.secrets = secrets;
        this.schedules = schedules;
        this.server = server;
        this.executor = executor;
        this.dynamoDb = dynamoDb;
        this.simulator = simulator;
        this.dynamoDbEndpoint = dynamoDbEndpoint;
        this.routes = routes;
        this.environments = environments;
        this.tableNames = tableNames;
        this.dynamoDbFaults = dynamoDbFaults;
    }

    public static void main(String[] args) throws Exception {
        LocalRuntime runtime;
        try {
            runtime = start(Options.fromEnvironment(System.getenv()));
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.err.println("local runtime: " + e.getMessage());
            System.exit(1);
            return;
        } catch (Exception | Error e) {
            System.err.println("local runtime did not start:");
            e.printStackTrace();
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping the local runtime.");
            runtime.close();
            stopped.countDown();
        }, "local-runtime-shutdown"));
        runtime.printBanner();
        stopped.await();
    }

    public static LocalRuntime start(Options options) throws IOException {
        SamTemplate template = SamTemplate.read(options.template());
        EmbeddedDynamoDb embedded = null;
        DynamoDbFaults faults = null;
        HttpServer server = null;
        TwilioSimulator simulator = null;
        LocalSecrets secrets = null;
        if (options.twilio() == TwilioMode.REAL) {
            for (Setting required : List.of(Setting.TWILIO_ACCOUNT_SID, Setting.TWILIO_AUTH_TOKEN, Setting.PUBLIC_BASE_URL)) {
                String value = options.environment().get(required.name());
                if (value == null || value.isBlank()) {
                    throw new IllegalStateException("LOCAL_TWILIO=real needs " + required.name() + " in the environment");
                }
            }
        }
        try {
            secrets = LocalSecrets.of(options.environment());
            String endpointOverride = options.environment().get(Setting.DYNAMODB_ENDPOINT.name());
            URI dynamoEndpoint;
            if (endpointOverride != null && !endpointOverride.isBlank()) {
                dynamoEndpoint = URI.create(endpointOverride);
            } else {
                embedded = EmbeddedDynamoDb.start(options.dynamoDbPort());
                // Every function reaches it through the fault proxy (POST /dev/faults/dynamodb).
                faults = DynamoDbFaults.start(embedded.endpoint());
                dynamoEndpoint = faults.endpoint();
            }

            server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 64);
            int port = server.getAddress().getPort();
            String publicBaseUrl = options.environment().getOrDefault(Setting.PUBLIC_BASE_URL.name(),
                    "http://" + options.host() + ":" + port);

            Map<String, String> tableNames = new LinkedHashMap<>();
            for (SamTemplate.Table table : template.tables()) {
                Object declared = table.properties().get("TableName");
                tableNames.put(table.logicalId(), declared instanceof String name ? name : table.logicalId());
            }
            Intrinsics intrinsics = new Intrinsics(FunctionContainers.references(template, publicBaseUrl, tableNames, options.environment(),
                    options.twilio() != TwilioMode.REAL));
            Map<String, String> processEnvironment = new LinkedHashMap<>(options.environment());
            if (options.twilio() == TwilioMode.SIMULATOR) {
                Path specs = ContractCheck.defaultDirectory(options.environment(), options.template().toAbsolutePath().getParent());
                // Bound now for its URL; it answers once the product is connected to it (below).
                simulator = TwilioSimulator.bind(new TwilioSimulator.Settings(options.host(), options.simulatorPort(),
                        processEnvironment.getOrDefault(Setting.TWILIO_ACCOUNT_SID.name(), LocalDefaults.ACCOUNT_SID),
                        processEnvironment.getOrDefault(Setting.TWILIO_AUTH_TOKEN.name(), LocalDefaults.AUTH_TOKEN),
                        ContractCheck.load(specs)));
                processEnvironment.put(Setting.TWILIO_API_BASE_URL.name(), simulator.baseUrl());
                // REST requests authenticate with an API key, as deployed; the simulator knows it as Twilio would.
                String keySid = processEnvironment.get(Setting.TWILIO_API_KEY_SID.name());
                String keySecret = processEnvironment.get(Setting.TWILIO_API_KEY_SECRET.name());
                simulator.acceptApiKey(keySid == null || keySid.isBlank() ? LocalDefaults.API_KEY_SID : keySid.trim(),
                        keySecret == null || keySecret.isBlank() ? LocalDefaults.API_KEY_SECRET : keySecret.trim());
                // The simulator's clock moves only when asked, and only once the webhooks in flight have been answered:
                // no webhook is ever on its way when the reconciler runs, so it needs no grace (unless asked for one).
                processEnvironment.putIfAbsent(Setting.RECONCILE_GRACE_SECONDS.name(), "0");
                // The same still clock would hold a whole session's dials in one minute: the simulated workspace's agents
                // get a limit no session reaches, unless one is asked for.
                processEnvironment.putIfAbsent(Setting.AGENT_DIALS_PER_MINUTE.name(), "1000");
            }
            try (var dynamo = DynamoDbClients.create(dynamoEndpoint, "us-east-1", false)) {
                for (SamTemplate.Table table : template.tables()) {
                    TableSchema.create(dynamo, tableNames.get(table.logicalId()), table.properties());
                }
            }

            List<ApiGatewayEmulator.Binding> bindings = new ArrayList<>();
            List<ServedRoute> served = new ArrayList<>();
            Map<String, Map<String, String>> environments = new LinkedHashMap<>();
            Map<String, RequestHandler<?, ?>> handlers = new LinkedHashMap<>();
            for (SamTemplate.Function function : template.functions()) {
                Map<String, String> environment = FunctionContainers.environment(function, intrinsics, dynamoEndpoint, processEnvironment, secrets);
                String keySid = processEnvironment.get(Setting.TWILIO_API_KEY_SID.name());
                if (options.twilio() == TwilioMode.REAL && (keySid == null || keySid.isBlank())) {
                    // Against a real account without a key of its own: the account SID and auth token, not the local key.
                    environment.put(Setting.TWILIO_API_KEY_SID.name(), "");
                    environment.put(Setting.TWILIO_API_KEY_SECRET.name(), "");
                }
                environments.put(function.logicalId(), environment);
                var handler = FunctionContainers.instantiate(function, environment, simulator == null ? java.time.Clock.systemUTC() : simulator.clock());
                handlers.put(function.logicalId(), handler);
                for (SamTemplate.Route route : function.routes()) {
                    bindings.add(ApiGatewayEmulator.bind(route, function, handler));
                    served.add(new ServedRoute(route.method(), route.path(), function.logicalId()));
                }
            }
            Schedules schedules = Schedules.of(template.functions(), environments, intrinsics,
                    (function, environment) -> FunctionContainers.scheduledHandler(handlers.get(function.logicalId())));
            if (simulator != null) {
                // The callbacks a deployment's workspace setup configures (WorkspaceSetup.applyForProduct), retries asked for.
                boolean assignment = routeUrl(served, publicBaseUrl, WebhookUrls.ASSIGNMENT_PATH) != null;
                boolean events = routeUrl(served, publicBaseUrl, WebhookUrls.TASKROUTER_EVENTS_PATH) != null;
                simulator.connectProduct(assignment ? WebhookUrls.assignmentCallback(publicBaseUrl) : null,
                        assignment ? WebhookUrls.assignmentFallback(publicBaseUrl) : null,
                        events ? WebhookUrls.eventCallback(publicBaseUrl) : null);
                // Before the product's server starts: its port is bound, so the simulator's first
                // webhooks wait in its backlog for the few milliseconds until it does.
                simulator.open();
            }
            EmfLines.install();
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            LocalAuthorizer authorizer = new LocalAuthorizer(publicBaseUrl + "/dev", java.time.Clock.systemUTC());
            AgentExchange.Observers agentApi = new AgentExchange.Observers();
            // LOCAL_AGENT_AUTH=flex: the template's Flex token authorizer in front of the agent routes instead of the JWT one.
            LocalFlexAuthorizer flex = LocalFlexAuthorizer.wanted(options.environment())
                    ? LocalFlexAuthorizer.of(template, handlers, intrinsics, simulator == null ? java.time.Clock.systemUTC() : simulator.clock()) : null;
            RouteThrottles throttles = RouteThrottles.of(template, intrinsics,
                    served.stream().map(route -> route.method() + " " + route.path()).toList(), options.environment(),
                    simulator == null ? null : simulator.clock());
            ApiGatewayEmulator api = new ApiGatewayEmulator(bindings, 10 * 1024 * 1024, authorizer, flex, agentApi, throttles);
            server.createContext("/", api);
            Map<String, String> anyEnvironment = environments.values().stream().findFirst().orElse(Map.of());
            // Against real Twilio the workers are real: /dev/* is 404 unless LOCAL_DEV_SECRET is set and sent.
            boolean devOpen = options.twilio() != TwilioMode.REAL;
            String devSecret = options.environment().get(DevGate.SECRET_VARIABLE);
            DevTokens devTokens = new DevTokens(authorizer, dev.callcontrol.config.Config.of(anyEnvironment));
            Map<String, com.sun.net.httpserver.HttpHandler> dev = new LinkedHashMap<>();
            dev.put(DevTokens.PATH, devTokens);
            dev.put(DevFlexTokens.PATH, new DevFlexTokens(devTokens, simulator == null ? null : simulator.flexTokens()));
            dev.put(Schedules.RECONCILE_PATH, schedules);
            dev.put(DynamoDbFaultControl.PATH, new DynamoDbFaultControl(faults));
            if (simulator != null) {
                dev.put(SimProxy.PATH, new SimProxy(simulator.baseUrl(), flex != null));
            }
            for (var route : dev.entrySet()) {
                server.createContext(route.getKey(), DevGate.guard(route.getValue(), devOpen, devSecret));
            }
            server.setExecutor(executor);
            server.start();
            schedules.start(java.util.Optional.ofNullable(simulator));
            return new LocalRuntime(server, executor, embedded, simulator, dynamoEndpoint, List.copyOf(served), environments, tableNames, schedules, faults,
                    agentApi, secrets, api, List.copyOf(dev.keySet()));
        } catch (IOException | RuntimeException | Error e) {
            if (server != null) {
                server.stop(0);
            }
            if (secrets != null) {
                secrets.close();
            }
            if (simulator != null) {
                simulator.close();
            }
            if (faults != null) {
                faults.close();
            }
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":" + port();
    }

    /** The DynamoDB endpoint the functions were given: the fault proxy's when the runtime started DynamoDB Local. */
    public URI dynamoDbEndpoint() {
        return dynamoDbEndpoint;
    }

    /** The fault proxy in front of the embedded DynamoDB Local; its {@code target()} is DynamoDB Local itself. */
    public java.util.Optional<DynamoDbFaults> dynamoDbFaults() {
        return java.util.Optional.ofNullable(dynamoDbFaults);
    }

    /** The public URL of a POST route the template declares, or null when it has none. */
    private static String routeUrl(List<ServedRoute> served, String publicBaseUrl, String path) {
        return served.stream().anyMatch(route -> route.path().equals(path) && route.method().equalsIgnoreCase("POST")) ? publicBaseUrl + path : null;
    }

    /** The Twilio simulator, when the runtime started one. */
    public java.util.Optional<TwilioSimulator> simulator() {
        return java.util.Optional.ofNullable(simulator);
    }

    public List<ServedRoute> routes() {
        return routes;
    }

    /** With {@code LOCAL_SECRETS=secrets-manager}, the loopback Secrets Manager the functions read their secrets from. */
    public java.util.Optional<FakeSecretsManager> secretsManager() {
        return secrets.secretsManager();
    }

    /** The local runtime's own routes ({@code /dev/*}: tokens, faults, the reconciler, the simulator's phones), each a path prefix. */
    public List<String> devPaths() {
        return devPaths;
    }

    /** How many times a function has been invoked through the API (what its CloudWatch Invocations metric would count). */
    public long invocations(String functionLogicalId) {
        return api.invocations(functionLogicalId);
    }

    /** The environment a function was started with (what Lambda would see). */
    public Map<String, String> environment(String functionLogicalId) {
        return environments.get(functionLogicalId);
    }

    public Map<String, String> tableNames() {
        return tableNames;
    }

    /** Tells {@code observer} of every request to an agent route and its answer, from now until {@link #ignoreAgentApi}. */
    public void observeAgentApi(java.util.function.Consumer<AgentExchange> observer) {
        agentApi.add(observer);
    }

    public void ignoreAgentApi(java.util.function.Consumer<AgentExchange> observer) {
        agentApi.remove(observer);
    }

    @Override
    public void close() {
        schedules.close();
        server.stop(0);
        executor.shutdownNow();
        if (simulator != null) {
            simulator.close();
        }
        if (dynamoDbFaults != null) {
            dynamoDbFaults.close();
        }
        if (dynamoDb != null) {
            dynamoDb.close();
        }
        secrets.close();
    }

    void printBanner() {
        Map<String, String> anyEnvironment = environments.values().stream().findFirst().orElse(Map.of());
        StringBuilder out = new StringBuilder();
        out.append("Call control is running locally.\n");
        out.append("  API             ").append(baseUrl()).append('\n');
        for (ServedRoute route : routes) {
            out.append(String.format("    %-6s %s%s  ->  %s%n", route.method(), baseUrl(), route.path(), route.function()));
        }
        out.append("  DynamoDB        ").append(dynamoDbEndpoint).append(dynamoDbFaults != null ? " (fault proxy, control: " + baseUrl()
                        + DynamoDbFaultControl.PATH + ") -> " + dynamoDbFaults.target() : "").append(dynamoDb != null ? " (embedded, in memory)" : "")
                .append("  tables: ").append(String.join(", ", tableNames.values())).append('\n');
        out.append("  Public base URL ").append(anyEnvironment.get(Setting.PUBLIC_BASE_URL.name())).append('\n');
        if (simulator != null) {
            out.append("  Twilio          simulator at ").append(simulator.baseUrl())
                    .append(" (control: ").append(simulator.baseUrl()).append("/sim/hearing, /sim/calls, /sim/workers, /sim/requests; contract check ")
                    .append(simulator.contractChecked() ? "on" : "off: Twilio's OpenAPI specs not found, set TWILIO_OAI_DIR").append(")\n");
        } else {
            String apiBase = anyEnvironment.get(Setting.TWILIO_API_BASE_URL.name());
            out.append("  Twilio          ").append(apiBase == null || apiBase.isBlank() ? "Twilio's own API (LOCAL_TWILIO=real)" : apiBase).append('\n');
        }
        String twilioBase = anyEnvironment.get(Setting.TWILIO_API_BASE_URL.name());
        if (simulator == null && (twilioBase == null || twilioBase.isBlank())) {
            out.append("  /dev/*          404 against real Twilio unless LOCAL_DEV_SECRET is set and sent in ").append(DevGate.HEADER).append('\n');
        }
        boolean flexTokens = api.takesFlexTokens();
        out.append("  Agent tokens    POST ").append(baseUrl()).append(flexTokens ? DevFlexTokens.PATH : DevTokens.PATH)
                .append(" {\"worker\":\"alice\"} (local only; agent routes need Authorization: Bearer <token>)\n");
        if (routes.stream().anyMatch(route -> route.path().equals("/console"))) {
            out.append("  Console         ").append(baseUrl()).append("/console (sign in as a demo worker in its local panel)\n");
        }
        out.append("  Throttling      ").append(api.throttling() ? "API Gateway's route throttles from template.yaml (LOCAL_THROTTLING=off to lift them)"
                : "off (LOCAL_THROTTLING=off)").append('\n');
        out.append("  Twilio secrets  ").append(secrets.describe()).append('\n');
        out.append("  Webhooks are signed with the auth token in TWILIO_AUTH_TOKEN")
                .append(LocalDefaults.AUTH_TOKEN.equals(anyEnvironment.get(Setting.TWILIO_AUTH_TOKEN.name())) ? " (local default '" + LocalDefaults.AUTH_TOKEN + "')" : "")
                .append(".\n");
        out.append("Press Ctrl-C to stop.");
        System.out.println(out);
    }

    private static Path locateTemplate(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path directory = Path.of("").toAbsolutePath();
        while (directory != null) {
            Path candidate = directory.resolve("template.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            directory = directory.getParent();
        }
        throw new IllegalStateException("template.yaml not found from " + Path.of("").toAbsolutePath() + "; set LOCAL_TEMPLATE");
    }
}
