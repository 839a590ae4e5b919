package dev.callcontrol.local.scenario;

import dev.callcontrol.local.AgentExchange;
import dev.callcontrol.local.SamTemplate;
import dev.callcontrol.testing.Project;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/agent-api.yaml (issue 21, item 2): an OpenAPI 3.1 description that parses without a
 * message, names exactly the agent routes of template.yaml, and that the validator the scenarios
 * use really enforces (3.1's {@code const} and type keywords, {@code additionalProperties},
 * patterns, the documented statuses), so that a scenario passing means the product kept to it.
 */
class AgentApiDescriptionTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String WORKER = "WK0123456789abcdef0123456789abcdef";
    private static final Map<String, List<String>> AUTHORIZED = Map.of("Authorization", List.of("Bearer a.b.c"), "Content-Type", List.of("application/json"));
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

    @Test
    void theDescriptionIsOpenApi31AndParsesWithoutAMessage() throws Exception {
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(Files.readString(AgentApiContract.description()), null, null);
        assertEquals(List.of(), result.getMessages() == null ? List.of() : result.getMessages());
        assertTrue(result.getOpenAPI().getOpenapi().startsWith("3.1."), result.getOpenAPI().getOpenapi());
    }

    @Test
    void everyAgentRouteOfTheTemplateIsDescribedAndNothingElse() throws Exception {
        Set<String> template = new TreeSet<>();
        for (SamTemplate.Function function : SamTemplate.read(Project.template()).functions()) {
            for (SamTemplate.Route route : function.routes()) {
                if (route.authorized()) {
                    template.add(route.method() + " " + route.path());
                }
            }
        }
        OpenAPI description = new OpenAPIV3Parser().readContents(Files.readString(AgentApiContract.description()), null, null).getOpenAPI();
        Set<String> described = new TreeSet<>();
        description.getPaths().forEach((path, item) -> item.readOperationsMap().keySet()
                .forEach((PathItem.HttpMethod method) -> described.add(method.name().toUpperCase(Locale.ROOT) + " " + path)));
        assertEquals(template, described, "the agent routes of template.yaml and the operations of docs/agent-api.yaml");
    }

    @Test
    void anAnswerAsTheProductGivesItMatches() {
        String call = "{\"taskSid\":\"" + TASK + "\",\"conferenceSid\":\"CF0123456789abcdef0123456789abcdef\",\"status\":\"active\",\"hold\":false,"
                + "\"agent\":{\"workerSid\":\"" + WORKER + "\"},\"participants\":[],\"audit\":[]}";
        assertEquals(List.of(), check("GET", "/calls/" + TASK, null, null, 200, call));
        assertEquals(List.of(), check("GET", "/calls", "pageSize=10", null, 200, "{\"calls\":[" + call + "],\"next\":\"bGl2ZTowOldU\"}"));
        assertEquals(List.of(), check("POST", "/calls", null, "{\"to\":\"+14155550100\"}", 202, "{\"taskSid\":\"" + TASK + "\",\"status\":\"connecting\"}"));
        assertEquals(List.of(), check("GET", "/calls", "cursor=x", null, 400, "{\"error\":{\"code\":\"bad_cursor\",\"message\":\"cursor is not one this listing gave\"}}"));
        assertEquals(List.of(), check("GET", "/calls", null, null, 401, "{\"message\":\"Unauthorized\"}"));
    }

    @Test
    void theValidatorEnforcesWhatTheDescriptionSays() {
        // 3.1's const: POST /calls answers status "connecting" and nothing else.
        assertMismatch(check("POST", "/calls", null, "{\"to\":\"+14155550100\"}", 202, "{\"taskSid\":\"" + TASK + "\",\"status\":\"ringing\"}"));
        // A field the description does not name.
        assertMismatch(check("GET", "/calls/" + TASK, null, null, 200, "{\"taskSid\":\"" + TASK + "\",\"status\":\"active\",\"secret\":1}"));
        // A required field missing, and a SID of the wrong shape.
        assertMismatch(check("GET", "/calls/" + TASK, null, null, 200, "{\"status\":\"active\"}"));
        assertMismatch(check("GET", "/calls/" + TASK, null, null, 200, "{\"taskSid\":\"WT1\",\"status\":\"active\"}"));
        // A status the route does not document, and an error in another shape.
        assertMismatch(check("GET", "/calls/" + TASK, null, null, 418, "{\"error\":{\"code\":\"teapot\",\"message\":\"no\"}}"));
        assertMismatch(check("GET", "/calls/" + TASK, null, null, 404, "{\"message\":\"gone\",\"code\":404}"));
        // A request the product accepted although the description forbids it.
        assertMismatch(check("POST", "/calls/" + TASK + "/hold", null, "{\"hold\":\"yes\"}", 200,
                "{\"taskSid\":\"" + TASK + "\",\"status\":\"active\"}"));
        assertMismatch(check("GET", "/calls", "pageSize=500", null, 200, "{\"calls\":[]}"));
        // A route the description does not have.
        assertMismatch(check("POST", "/calls/" + TASK + "/unknown", null, "{}", 200, "{}"));
    }

    private static void assertMismatch(List<String> mismatches) {
        assertTrue(!mismatches.isEmpty(), "the validator found nothing wrong");
    }

    private static List<String> check(String method, String path, String query, String body, int status, String answer) {
        return AgentApiContract.mismatches(new AgentExchange(method + " " + path, method, path, query, AUTHORIZED,
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8), status, JSON, answer.getBytes(StandardCharsets.UTF_8)));
    }
}
