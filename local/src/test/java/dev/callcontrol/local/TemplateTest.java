package dev.callcontrol.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.config.Setting;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.Json;
import dev.callcontrol.testing.Project;
import dev.callcontrol.store.DynamoDbClients;
import dev.callcontrol.testing.Webhooks;
import dev.callcontrol.twilio.SignatureVerifier;
import dev.callcontrol.twilio.TwilioClients;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** template.yaml, events/, the settings and the README stay true to each other. */
class TemplateTest {
    /** Variables the platform libraries read themselves rather than through {@link Setting}. */
    private static final Set<String> PLATFORM_VARIABLES = Set.of("POWERTOOLS_LOG_LEVEL", "JAVA_TOOL_OPTIONS");

    private static SamTemplate template;

    @BeforeAll
    static void read() throws IOException {
        template = SamTemplate.read(Project.template());
    }

    private static List<Path> sampleEvents() throws IOException {
        try (Stream<Path> files = Files.list(Project.root().resolve("events"))) {
            return files.filter(f -> f.toString().endsWith(".json") && !f.getFileName().toString().equals("env.json")).sorted().toList();
        }
    }

    @Test
    void everyHandlerNamesAnExistingClassAndMethod() throws Exception {
        assertTrue(!template.functions().isEmpty());
        for (SamTemplate.Function function : template.functions()) {
            Class<?> type = Class.forName(function.handlerClass());
            assertTrue(RequestHandler.class.isAssignableFrom(type), function.handler() + " is a RequestHandler");
            // A function on a schedule takes EventBridge's scheduled event; an authorizer, the HTTP API's
            // authorizer request; every other one, API Gateway's request.
            boolean authorizer = template.lambdaAuthorizers().stream().anyMatch(a -> a.functionLogicalId().equals(function.logicalId()));
            Class<?> event = !function.schedules().isEmpty() ? com.amazonaws.services.lambda.runtime.events.ScheduledEvent.class
                    : authorizer ? com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent.class : APIGatewayV2HTTPEvent.class;
            assertTrue(!authorizer || function.routes().isEmpty(), function.logicalId() + " is an authorizer and serves no route");
            assertTrue(function.schedules().isEmpty() || function.routes().isEmpty(), function.logicalId() + " is either scheduled or routed");
            var method = type.getMethod(function.handlerMethod(), event, Context.class);
            assertTrue(Modifier.isPublic(method.getModifiers()), function.handler());
            assertTrue(Modifier.isPublic(type.getConstructor().getModifiers()), function.handler() + " has the public no-argument constructor Lambda uses");
        }
    }

    /**
     * docs/decisions.md, "Every request fits in the invocation": a function's timeout holds, before
     * the reserve kept for undoing and answering, one Twilio attempt and one DynamoDB request at
     * their ceilings; and no function behind the HTTP API outlives what its caller waits for (Twilio
     * stops waiting for a webhook after 15 s, the tt of every callback URL; API Gateway after 30 s).
     */
    @Test
    void everyFunctionsTimeoutHoldsItsBudgets() {
        long slowestStep = TwilioClients.ATTEMPT_CEILING.toMillis() + DynamoDbClients.CALL_TIMEOUT.toMillis();
        for (SamTemplate.Function function : template.functions()) {
            long timeout = function.timeoutSeconds() * 1000L;
            assertTrue(timeout - Deadline.RESERVE_MILLIS >= slowestStep, function.logicalId() + ": " + timeout
                    + " ms less the " + Deadline.RESERVE_MILLIS + " ms reserve must hold a Twilio attempt and a DynamoDB request at their ceilings ("
                    + slowestStep + " ms)");
            for (SamTemplate.Route route : function.routes()) {
                long caller = route.path().startsWith("/twilio/") ? 15_000 : 30_000;
                assertTrue(timeout <= caller, function.logicalId() + " runs longer than " + route.path() + "'s caller waits");
                // An Idempotency-Key's in-progress marker must never expire under a request still running.
                assertTrue(route.path().startsWith("/twilio/") || timeout < dev.callcontrol.agent.Idempotency.IN_PROGRESS.toMillis(),
                        function.logicalId() + " may run longer than an Idempotency-Key's in-progress marker lasts");
            }
        }
    }

    @Test
    void everyFunctionHasASampleEventAndEveryEventARoute() throws IOException {
        Map<String, String> routeKeys = new java.util.HashMap<>();
        template.functions().forEach(f -> f.routes().forEach(r -> routeKeys.put(r.method() + " " + r.path(), f.logicalId())));
        Set<String> covered = new java.util.HashSet<>();
        for (Path event : sampleEvents()) {
            JsonNode sample = Json.MAPPER.readTree(event.toFile());
            if (sample.has("detail-type")) {
                // An EventBridge rule's event: its rule is named <function>-<event id>, as the local runtime names it.
                String rule = sample.path("resources").path(0).asText();
                SamTemplate.Function scheduled = template.functions().stream().filter(f -> f.schedules().stream()
                        .anyMatch(s -> rule.endsWith(":rule/" + f.logicalId() + "-" + s.eventId()))).findFirst()
                        .orElseThrow(() -> new AssertionError(event.getFileName() + " names rule " + rule + ", which no Schedule event of template.yaml is"));
                assertEquals("Scheduled Event", sample.path("detail-type").asText());
                covered.add(scheduled.logicalId());
                continue;
            }
            String routeKey = sample.path("routeKey").asText();
            assertTrue(routeKeys.containsKey(routeKey), event.getFileName() + " names route " + routeKey + ", which template.yaml does not have");
            if ("REQUEST".equals(sample.path("type").asText())) {
                // A Lambda authorizer's request (payload 2.0) for that route: it samples every Lambda authorizer.
                template.lambdaAuthorizers().forEach(a -> covered.add(a.functionLogicalId()));
                continue;
            }
            covered.add(routeKeys.get(routeKey));
        }
        for (SamTemplate.Function function : template.functions()) {
            assertTrue(covered.contains(function.logicalId()), function.logicalId() + " has no sample event in events/");
        }
    }

    @Test
    void signedSampleEventsAreSignedForTheLocalRuntime() throws IOException {
        var verifier = new SignatureVerifier(Webhooks.AUTH_TOKEN, Webhooks.PUBLIC_BASE_URL);
        for (Path event : sampleEvents()) {
            APIGatewayV2HTTPEvent loaded = Webhooks.sample(event.getFileName().toString());
            if (loaded.getHeaders() != null && loaded.getHeaders().containsKey("x-twilio-signature")) {
                assertTrue(verifier.isValid(ApiRequest.from(loaded)), event.getFileName() + " has a stale signature: run local/sign --events");
            }
        }
    }

    @Test
    void everySettingIsInTheTemplateTheReadmeAndTheLocalEnvFile() throws IOException {
        Set<String> settings = Stream.of(Setting.values()).map(Enum::name).collect(Collectors.toSet());
        for (SamTemplate.Function function : template.functions()) {
            Set<String> variables = function.environment().keySet();
            assertTrue(variables.containsAll(settings), function.logicalId() + " lacks " + difference(settings, variables));
            Set<String> unknown = difference(variables, settings);
            unknown.removeAll(PLATFORM_VARIABLES);
            assertEquals(Set.of(), unknown, "template variables that no Setting declares");
        }
        String readme = Files.readString(Project.root().resolve("README.md"), StandardCharsets.UTF_8);
        for (String name : settings) {
            assertTrue(readme.contains("| `" + name + "`"), "README's environment table lacks " + name);
        }
        for (String name : List.of("LOCAL_PORT", "LOCAL_DYNAMODB_PORT", "LOCAL_HOST", "LOCAL_TEMPLATE",
                "LOCAL_SIMULATOR_PORT", "LOCAL_TWILIO", "TWILIO_OAI_DIR")) {
            assertTrue(readme.contains("| `" + name + "`"), "README's environment table lacks " + name);
        }
        JsonNode env = Json.MAPPER.readTree(Project.root().resolve("events/env.json").toFile());
        for (SamTemplate.Function function : template.functions()) {
            JsonNode variables = env.path(function.logicalId());
            for (String name : settings) {
                assertTrue(variables.has(name), "events/env.json lacks " + function.logicalId() + "." + name);
            }
        }
    }

    @Test
    void cfnLintReportsNoErrors() throws Exception {
        String cfnLint = findOnPath("cfn-lint");
        Assumptions.assumeTrue(cfnLint != null, "cfn-lint is not on PATH: template lint skipped");
        Process process = new ProcessBuilder(cfnLint, Project.template().toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "cfn-lint did not finish");
        // cfn-lint exits 2 on errors, 4 on warnings, 8 on informational findings (bit flags).
        assertEquals(0, process.exitValue() & 2, "cfn-lint found errors:\n" + output);
        assertEquals(0, process.exitValue(), "cfn-lint findings:\n" + output);
    }

    private static String findOnPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String directory : path.split(File.pathSeparator)) {
            Path candidate = Path.of(directory, command);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> result = new java.util.TreeSet<>(a);
        result.removeAll(b);
        return result;
    }

}
