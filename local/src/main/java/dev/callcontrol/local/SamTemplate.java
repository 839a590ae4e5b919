package dev.callcontrol.local;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SAM template as the local runtime needs it: functions with their handler, environment and
 * HTTP API routes, and the DynamoDB tables. Reading routes and handlers from template.yaml keeps the
 * local runtime and the deployment from ever diverging.
 */
public final class SamTemplate {
    /** A function with the routes its HttpApi events declare. */
    public record Function(String logicalId, String handler, int memoryMb, int timeoutSeconds,
                           Map<String, Object> environment, List<Route> routes, List<Schedule> schedules) {
        public Function(String logicalId, String handler, int memoryMb, int timeoutSeconds, Map<String, Object> environment, List<Route> routes) {
            this(logicalId, handler, memoryMb, timeoutSeconds, environment, routes, List.of());
        }

        public String handlerClass() {
            int colon = handler.indexOf("::");
            return colon < 0 ? handler : handler.substring(0, colon);
        }

        public String handlerMethod() {
            int colon = handler.indexOf("::");
            return colon < 0 ? "handleRequest" : handler.substring(colon + 2);
        }
    }

    /** One HttpApi event: method (upper case, or ANY) and path template such as /calls/{taskSid}/hold. */
    public record Route(String method, String path, String functionLogicalId, boolean authorized) {
    }

    /** One Schedule event (an EventBridge rule): its id and its expression as the template writes it ({@code !Ref Parameter}, say). */
    public record Schedule(String eventId, Object expression) {
    }

    /**
     * A Lambda authorizer of an HttpApi: its name in {@code Auth.Authorizers}, the function it
     * invokes, and how long API Gateway caches its answer ({@code Identity.ReauthorizeEvery}, as the
     * template writes it: a number or {@code !Ref Parameter}).
     */
    public record LambdaAuthorizer(String name, String functionLogicalId, Object ttlSeconds) {
    }

    /** A DynamoDB table declared as AWS::DynamoDB::Table. */
    public record Table(String logicalId, Map<String, Object> properties) {
    }

    private final Map<String, Object> root;

    private SamTemplate(Map<String, Object> root) {
        this.root = root;
    }

    public static SamTemplate read(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Object loaded = new Yaml(new CloudFormationConstructor()).load(reader);
            if (!(loaded instanceof Map<?, ?> map)) {
                throw new IOException(file + " is not a SAM template");
            }
            return new SamTemplate(cast(map));
        }
    }

    public Map<String, Object> parameters() {
        return section("Parameters");
    }

    public Map<String, Object> resources() {
        return section("Resources");
    }

    /** The DefaultAuthorizer of the HttpApi an event's ApiId refers to ({@code {Ref: Api}}), or null. */
    private Object defaultAuthorizer(Object apiId) {
        if (!(apiId instanceof Map<?, ?> ref) || !(ref.get("Ref") instanceof String name)) {
            return null;
        }
        Object api = resources().get(name);
        return api == null ? null : nested(nested(cast(api), "Properties"), "Auth").get("DefaultAuthorizer");
    }

    public List<Function> functions() {
        Map<String, Object> globals = nested(section("Globals"), "Function");
        List<Function> functions = new ArrayList<>();
        resources().forEach((id, value) -> {
            Map<String, Object> resource = cast(value);
            if (!"AWS::Serverless::Function".equals(resource.get("Type"))) {
                return;
            }
            Map<String, Object> properties = nested(resource, "Properties");
            Map<String, Object> environment = new LinkedHashMap<>(nested(nested(globals, "Environment"), "Variables"));
            environment.putAll(nested(nested(properties, "Environment"), "Variables"));
            List<Route> routes = new ArrayList<>();
            List<Schedule> schedules = new ArrayList<>();
            nested(properties, "Events").forEach((eventId, eventValue) -> {
                Map<String, Object> event = cast(eventValue);
                if ("Schedule".equals(event.get("Type"))) {
                    schedules.add(new Schedule(eventId, nested(event, "Properties").get("Schedule")));
                }
                if ("HttpApi".equals(event.get("Type"))) {
                    Map<String, Object> eventProperties = nested(event, "Properties");
                    Object authorizer = nested(eventProperties, "Auth").get("Authorizer");
                    // A route uses the authorizer it names, else its API's default one; NONE opts out.
                    boolean authorized = authorizer != null ? !"NONE".equals(authorizer) : defaultAuthorizer(eventProperties.get("ApiId")) != null;
                    routes.add(new Route(
                            String.valueOf(eventProperties.getOrDefault("Method", "ANY")).toUpperCase(java.util.Locale.ROOT),
                            String.valueOf(eventProperties.get("Path")),
                            id,
                            authorized));
                }
            });
            functions.add(new Function(id,
                    String.valueOf(properties.getOrDefault("Handler", globals.get("Handler"))),
                    number(properties.getOrDefault("MemorySize", globals.getOrDefault("MemorySize", 128))),
                    number(properties.getOrDefault("Timeout", globals.getOrDefault("Timeout", 3))),
                    environment,
                    routes,
                    schedules));
        });
        return functions;
    }

    /**
     * Every Lambda authorizer of the template's HttpApis. Its {@code FunctionArn} is the function's
     * {@code Arn} ({@code !GetAtt F.Arn}) or its published alias ({@code !Ref F} + {@code Alias} + name,
     * the alias resource SAM makes for {@code AutoPublishAlias}).
     */
    public List<LambdaAuthorizer> lambdaAuthorizers() {
        List<String> functions = functions().stream().map(Function::logicalId).toList();
        List<LambdaAuthorizer> authorizers = new ArrayList<>();
        resources().forEach((id, value) -> {
            Map<String, Object> resource = cast(value);
            if (!"AWS::Serverless::HttpApi".equals(resource.get("Type"))) {
                return;
            }
            nested(nested(nested(resource, "Properties"), "Auth"), "Authorizers").forEach((name, definition) -> {
                Map<String, Object> authorizer = cast(definition);
                Object arn = authorizer.get("FunctionArn");
                if (arn == null) {
                    return;
                }
                String function = null;
                if (arn instanceof Map<?, ?> ref && ref.get("Fn::GetAtt") instanceof List<?> getAtt && !getAtt.isEmpty()) {
                    function = String.valueOf(getAtt.get(0));
                } else if (arn instanceof Map<?, ?> ref && ref.get("Ref") instanceof String alias) {
                    function = functions.stream().filter(f -> alias.startsWith(f + "Alias")).findFirst().orElse(null);
                }
                if (function == null || !functions.contains(function)) {
                    throw new IllegalStateException("authorizer " + name + " invokes " + arn + ", which is no function of the template");
                }
                authorizers.add(new LambdaAuthorizer(name, function, nested(authorizer, "Identity").getOrDefault("ReauthorizeEvery", 300)));
            });
        });
        return authorizers;
    }

    /**
     * One throttle of an HttpApi as the template writes it (a number or {@code !Ref Parameter} each):
     * for one route key ({@code RouteSettings}), or for every other route ({@code DefaultRouteSettings},
     * route key null).
     */
    public record Throttle(String routeKey, Object rateLimit, Object burstLimit) {
    }

    /** The throttles of every HttpApi of the template: each API's default route throttle first, then its route throttles. */
    public List<Throttle> throttles() {
        List<Throttle> throttles = new ArrayList<>();
        resources().forEach((id, value) -> {
            Map<String, Object> resource = cast(value);
            if (!"AWS::Serverless::HttpApi".equals(resource.get("Type"))) {
                return;
            }
            Map<String, Object> properties = nested(resource, "Properties");
            Map<String, Object> defaults = nested(properties, "DefaultRouteSettings");
            if (defaults.containsKey("ThrottlingRateLimit") || defaults.containsKey("ThrottlingBurstLimit")) {
                throttles.add(new Throttle(null, defaults.get("ThrottlingRateLimit"), defaults.get("ThrottlingBurstLimit")));
            }
            nested(properties, "RouteSettings").forEach((routeKey, settings) -> {
                Map<String, Object> route = cast(settings);
                throttles.add(new Throttle(routeKey, route.get("ThrottlingRateLimit"), route.get("ThrottlingBurstLimit")));
            });
        });
        return throttles;
    }

    public List<Table> tables() {
        List<Table> tables = new ArrayList<>();
        resources().forEach((id, value) -> {
            Map<String, Object> resource = cast(value);
            if ("AWS::DynamoDB::Table".equals(resource.get("Type"))) {
                tables.add(new Table(id, nested(resource, "Properties")));
            }
        });
        return tables;
    }

    private Map<String, Object> section(String name) {
        return nested(root, name);
    }

    static Map<String, Object> nested(Map<String, Object> map, String key) {
        Object value = map.get(key);
        return value instanceof Map<?, ?> m ? cast(m) : Map.of();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Object map) {
        return (Map<String, Object>) map;
    }

    private static int number(Object value) {
        return value instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(value));
    }

    /**
     * Reads CloudFormation's short-form tags ({@code !Ref X}, {@code !Sub '...'}, {@code !GetAtt A.B})
     * into their long form ({@code {Ref: X}}, {@code {Fn::Sub: ...}}, {@code {Fn::GetAtt: [A, B]}}).
     */
    private static final class CloudFormationConstructor extends SafeConstructor {
        CloudFormationConstructor() {
            super(new LoaderOptions());
            this.yamlMultiConstructors.put("!", new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    String tag = node.getTag().getValue().substring(1);
                    String function = "Ref".equals(tag) || "Condition".equals(tag) ? tag : "Fn::" + tag;
                    Object value;
                    if (node instanceof ScalarNode scalar) {
                        value = constructScalar(scalar);
                        if ("Fn::GetAtt".equals(function)) {
                            String text = String.valueOf(value);
                            int dot = text.indexOf('.');
                            value = List.of(text.substring(0, dot), text.substring(dot + 1));
                        }
                    } else if (node instanceof SequenceNode sequence) {
                        value = constructSequence(sequence);
                    } else {
                        value = constructMapping((MappingNode) node);
                    }
                    return Map.of(function, value);
                }
            });
        }
    }
}
