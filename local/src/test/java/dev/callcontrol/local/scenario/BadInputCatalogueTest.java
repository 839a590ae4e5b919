package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.twilio.rest.taskrouter.v1.workspace.Task;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.Agent;
import dev.callcontrol.local.LocalDefaults;
import dev.callcontrol.local.sim.DemoWorkspace;
import dev.callcontrol.store.DynamoDbClients;
import dev.callcontrol.testing.Project;
import dev.callcontrol.testing.Webhooks;
import dev.callcontrol.twilio.SignatureVerifier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The bad-input catalogue: every case in {@code local/src/test/resources/bad-input/*.json} is sent
 * to the local runtime as the agent UI or (validly signed, so that the bad input itself is what is
 * tested) as Twilio would send it, after the call it needs has been set up. Each must get exactly
 * the status the case names, never a 5xx; agent routes a JSON error with the case's {@code code}
 * and no internals; TwiML routes valid TwiML or a 4xx. A case may send a {@code first} request
 * before it (the same {@code Idempotency-Key} with another body, say). And each must leave no record behind: the
 * call-records table is the same before and after, and the product made no mutating (POST or
 * DELETE) Twilio request. The format of a case is described in the catalogue's README.md.
 */
class BadInputCatalogueTest extends CallCentreScenario {
    static final Path CATALOGUE = Project.root().resolve("local/src/test/resources/bad-input");
    /** The categories of the hardening issue; each needs at least one case. */
    static final Set<String> REQUIRED_CATEGORIES = Set.of("malformed-json", "malformed-form", "content-type", "body-size", "sid",
            "unknown-task", "wrong-state", "phone-number", "injection");
    static final Set<String> CATEGORIES = union(REQUIRED_CATEGORIES, Set.of("unknown-target", "header"));
    static final int MINIMUM_CASES = 50;
    static final String UNKNOWN_TASK = "WT0000000000000000000000000000dead";
    /** Text that would mean internals leaked into an answer: exceptions, stack frames, class names. */
    static final List<String> INTERNALS = List.of("Exception", "Error:", "\tat ", "Caused by", "jackson");
    static final Pattern CLASS_NAME = Pattern.compile(
            "\\b(?:java|javax|jdk|sun|dev\\.callcontrol|com\\.twilio|software\\.amazon|com\\.fasterxml|org\\.slf4j)(?:\\.[a-z0-9_]+)*\\.[A-Z][\\w$]*");

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Map<String, Boolean> OUTCOMES = new LinkedHashMap<>();

    record Case(String file, String name, String category, JsonNode spec) {
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputGetsAClear4xxAndLeavesNoRecord() throws IOException {
        List<Case> cases = load();
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases) {
            int number = 2000 + tests.size();
            tests.add(DynamicTest.dynamicTest(c.category() + ": " + c.name(), () -> {
                OUTCOMES.put(c.name(), false);
                try {
                    run(c, number);
                    OUTCOMES.put(c.name(), true);
                } finally {
                    resetCallCentre(sim, twilio);
                }
            }));
        }
        tests.add(DynamicTest.dynamicTest("summary", () -> {
            Map<String, Integer> perCategory = new TreeMap<>();
            cases.forEach(c -> perCategory.merge(c.category(), 1, Integer::sum));
            List<String> unexpected = OUTCOMES.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
            // The summary is part of each failure's message only: a passing test prints nothing.
            String summary = "bad-input catalogue: " + cases.size() + " cases, " + unexpected.size() + " unexpected, by category " + perCategory;
            assertTrue(cases.size() >= MINIMUM_CASES, "the catalogue has at least " + MINIMUM_CASES + " cases; " + summary);
            assertEquals(cases.size(), OUTCOMES.size(), "every case ran; " + summary);
            assertEquals(List.of(), unexpected, "cases with unexpected results; " + summary);
        }));
        return tests.stream();
    }

    // ------------------------------------------------------------------ the catalogue

    static List<Case> load() throws IOException {
        List<Case> cases = new ArrayList<>();
        Set<String> names = new HashSet<>();
        try (Stream<Path> files = Files.list(CATALOGUE)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode document = Json.MAPPER.readTree(file.toFile());
                if (!document.isArray()) {
                    throw new AssertionError(file.getFileName() + " must be a JSON array of cases");
                }
                for (JsonNode spec : document) {
                    String name = spec.path("name").asText("");
                    String category = spec.path("category").asText("");
                    String where = file.getFileName() + ": case '" + name + "'";
                    if (name.isBlank() || !names.add(name)) {
                        throw new AssertionError(where + " needs a name of its own");
                    }
                    if (!CATEGORIES.contains(category)) {
                        throw new AssertionError(where + " has category '" + category + "', not one of " + CATEGORIES);
                    }
                    if (!spec.path("expect").path("status").canConvertToInt()) {
                        throw new AssertionError(where + " names no expected status");
                    }
                    if (!Set.of("agent", "other", "supervisor", "twilio").contains(spec.path("caller").asText())) {
                        throw new AssertionError(where + " needs a caller: agent, other, supervisor or twilio");
                    }
                    cases.add(new Case(file.getFileName().toString(), name, category, spec));
                }
            }
        }
        Set<String> missing = new HashSet<>(REQUIRED_CATEGORIES);
        cases.forEach(c -> missing.remove(c.category()));
        if (!missing.isEmpty()) {
            throw new AssertionError("the catalogue has no case of " + missing);
        }
        if (cases.size() < MINIMUM_CASES) {
            throw new AssertionError("the catalogue has " + cases.size() + " cases; it needs at least " + MINIMUM_CASES);
        }
        return cases;
    }

    // ------------------------------------------------------------------ one case

    private void run(Case c, int number) throws Exception {
        JsonNode spec = c.spec();
        Map<String, String> values = setUp(spec, number);
        if (spec.has("first")) {
            sendFirst(spec, values);
        }

        // What the request is: a sample event of events/ altered by the case, or what the case spells out.
        JsonNode sample = spec.has("sample") ? Json.MAPPER.readTree(Project.event(spec.path("sample").asText()).toFile()) : null;
        String method = spec.has("method") ? spec.path("method").asText()
                : sample.path("requestContext").path("http").path("method").asText();
        String path = fill(spec.has("path") ? spec.path("path").asText() : sample.path("rawPath").asText(), values);
        String query = fill(spec.has("query") ? spec.path("query").asText() : sample == null ? "" : sample.path("rawQueryString").asText(""), values);
        String contentType = spec.has("contentType") ? spec.path("contentType").asText(null) : null;
        String body = null;
        if (spec.has("json")) {
            body = Json.write(fillJson(spec.path("json"), values));
            contentType = spec.has("contentType") ? contentType : "application/json";
        } else if (spec.has("body")) {
            body = fill(spec.path("body").asText(), values);
        } else if (spec.has("generate")) {
            JsonNode g = spec.path("generate");
            body = fill(g.path("prefix").asText(""), values) + g.path("repeat").asText().repeat(g.path("times").asInt())
                    + fill(g.path("suffix").asText(""), values);
        } else if (spec.has("form") || sample != null && spec.path("caller").asText().equals("twilio") && !method.equals("GET")) {
            Map<String, String> form = new LinkedHashMap<>(sample == null ? Map.of() : Webhooks.form(Webhooks.sample(spec.path("sample").asText())));
            spec.path("remove").forEach(name -> form.remove(name.asText()));
            for (Iterator<Map.Entry<String, JsonNode>> set = (spec.has("form") ? spec.path("form") : spec.path("set")).fields(); set.hasNext(); ) {
                Map.Entry<String, JsonNode> field = set.next();
                JsonNode value = fillJson(field.getValue(), values);
                form.put(field.getKey(), value.isTextual() ? value.asText() : Json.write(value));
            }
            body = Webhooks.encode(form);
            contentType = spec.has("contentType") ? contentType : "application/x-www-form-urlencoded";
        }

        String url = runtime.baseUrl() + path + (query.isEmpty() ? "" : "?" + query);
        HttpRequest.Builder request = HttpRequest.newBuilder();
        String caller = spec.path("caller").asText();
        if (caller.equals("twilio")) {
            if (spec.path("signing").asText("form").equals("bodySHA256")) {
                byte[] hash = MessageDigest.getInstance("SHA-256").digest((body == null ? "" : body).getBytes(StandardCharsets.UTF_8));
                url = url + (url.contains("?") ? "&" : "?") + "bodySHA256=" + HexFormat.of().formatHex(hash);
                request.header(SignatureVerifier.HEADER, SignatureVerifier.sign(LocalDefaults.AUTH_TOKEN, url, Map.of()));
            } else {
                boolean form = body != null && method.equals("POST") && contentType != null
                        && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
                request.header(SignatureVerifier.HEADER, SignatureVerifier.sign(LocalDefaults.AUTH_TOKEN, url, form ? parseForm(body) : Map.of()));
            }
        } else {
            String worker = switch (caller) {
                case "other" -> values.get("other");
                case "supervisor" -> "sam";
                default -> values.get("agent");
            };
            request.header("Authorization", "Bearer " + Agent.token(runtime.baseUrl(), worker));
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (Iterator<Map.Entry<String, JsonNode>> headers = spec.path("headers").fields(); headers.hasNext(); ) {
            Map.Entry<String, JsonNode> header = headers.next();
            request.header(header.getKey(), fill(header.getValue().asText(), values));
        }
        request.uri(URI.create(url)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8)));

        // Before: a settled simulator with an empty request log, and the call records as they are.
        sim.clearRequests();
        Map<String, String> recordsBefore = records();
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        List<String> mutations = sim.requests().stream()
                .filter(r -> Set.of("POST", "DELETE").contains(r.path("method").asText()))
                .map(r -> r.path("method").asText() + " " + r.path("path").asText()).toList();
        Map<String, String> recordsAfter = records();

        String answer = response.body() == null ? "" : response.body();
        String what = c.file() + " '" + c.name() + "': " + method + " " + path + " answered " + response.statusCode() + " " + abbreviate(answer);
        JsonNode expect = spec.path("expect");
        assertTrue(response.statusCode() < 500, "bad input must never get a 5xx; " + what);
        assertEquals(expect.path("status").asInt(), response.statusCode(), what);
        for (String internal : INTERNALS) {
            assertFalse(answer.contains(internal), "the answer shows internals (" + internal.strip() + "); " + what);
        }
        Matcher className = CLASS_NAME.matcher(answer);
        if (className.find()) {
            fail("the answer names a class (" + className.group() + "); " + what);
        }
        for (JsonNode text : expect.path("mustNotContain")) {
            assertFalse(answer.contains(fill(text.asText(), values)), "the answer repeats '" + text.asText() + "'; " + what);
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (response.statusCode() >= 400) {
            // Refusals are the JSON error shape, for the agent UI and for Twilio's debugger alike.
            assertTrue(type.startsWith("application/json"), "a refusal is JSON; " + what + " as " + type);
            JsonNode error = Json.parse(answer, "the answer").path("error");
            assertTrue(error.path("message").isTextual() && !error.path("message").asText().isBlank(), "the error says what was wrong; " + what);
            if (expect.has("code")) {
                assertEquals(expect.path("code").asText(), error.path("code").asText(), "error code; " + what);
            }
        }
        if (expect.has("twiml")) {
            assertTrue(type.startsWith("text/xml"), "TwiML is text/xml; " + what + " as " + type);
            checkTwiml(answer, expect, what);
        }
        if (expect.has("json")) {
            assertTrue(type.startsWith("application/json"), "the answer is JSON; " + what);
            JsonNode got = Json.parse(answer, "the answer");
            for (Iterator<Map.Entry<String, JsonNode>> fields = fillJson(expect.path("json"), values).fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                assertEquals(field.getValue(), got.path(field.getKey()), "answer field " + field.getKey() + "; " + what);
            }
        }
        // A refusal that is itself a change (an assignment nobody can take cancels its task) names it under "changes".
        List<String> expectedChanges = new java.util.ArrayList<>();
        expect.path("changes").forEach(change -> expectedChanges.add(fill(change.asText(), values)));
        assertEquals(expectedChanges, mutations, "the case made the product change something at Twilio; " + what);
        assertEquals(Map.of(), changes(recordsBefore, recordsAfter), "the case changed the call records; " + what);
    }

    /**
     * The request a case's {@code first} names, sent by the case's caller before the case (and
     * before the records are read for comparison): what an earlier request with the same
     * {@code Idempotency-Key} left behind is part of the set-up. It must get {@code first.status}.
     */
    private static void sendFirst(JsonNode spec, Map<String, String> values) throws Exception {
        JsonNode first = spec.path("first");
        String worker = switch (spec.path("caller").asText()) {
            case "other" -> values.get("other");
            case "supervisor" -> "sam";
            default -> values.get("agent");
        };
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runtime.baseUrl() + fill(first.path("path").asText(), values)))
                .header("Authorization", "Bearer " + Agent.token(runtime.baseUrl(), worker))
                .header("Content-Type", "application/json")
                .method(first.path("method").asText("POST"), HttpRequest.BodyPublishers.ofString(Json.write(fillJson(first.path("json"), values))));
        for (Iterator<Map.Entry<String, JsonNode>> headers = first.path("headers").fields(); headers.hasNext(); ) {
            Map.Entry<String, JsonNode> header = headers.next();
            request.header(header.getKey(), fill(header.getValue().asText(), values));
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(first.path("status").asInt(), response.statusCode(), "the case's first request: " + abbreviate(response.body()));
    }

    /** The call a case needs, and the values its placeholders stand for. */
    private static Map<String, String> setUp(JsonNode spec, int number) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("unknownTask", UNKNOWN_TASK);
        values.put("agent", "alice");
        values.put("other", "bob");
        String setup = spec.path("call").asText("none");
        switch (setup) {
            case "none" -> values.put("task", UNKNOWN_TASK);
            case "connected", "ended", "warm-ringing", "warm-consulting" -> {
                String customer = "+1415555" + String.format("%04d", number);
                Connected call = connect(customer);
                values.put("task", call.task());
                values.put("agent", call.agent());
                values.put("other", call.other());
                values.put("customerCallSid", sim.liveCall(customer).path("callSid").asText());
                Agent.Answer view = signIn("sam").get("/calls/" + call.task());
                values.put("conference", view.body().path("conferenceSid").asText());
                values.put("agentCallSid", view.body().path("agent").path("callSid").asText());
                if (setup.equals("ended")) {
                    hangUp(customer);
                    assertEquals("ended", signIn("sam").get("/calls/" + call.task()).body().path("status").asText(), "the call ended");
                }
                if (setup.startsWith("warm-")) {
                    Agent.Answer started = signIn(call.agent()).post("/calls/" + call.task() + "/warm-transfer",
                            Map.of("to", Map.of("worker", DemoWorkspace.CAROL)));
                    assertEquals(201, started.status(), "warm transfer started: " + started.body());
                    values.put("transferTask", signIn(call.agent()).get("/calls/" + call.task() + "/warm-transfer").body().path("taskSid").asText());
                    if (setup.equals("warm-consulting")) {
                        sim.answer(sim.ringing("carol"));
                    }
                }
            }
            case "reserved-task" -> {
                // A task TaskRouter has reserved for an agent but whose call has not started: what the whisper reads.
                JsonNode attributes = spec.path("taskAttributes");
                Task task = Task.creator(DemoWorkspace.WORKSPACE_SID).setWorkflowSid(DemoWorkspace.WORKFLOW_SID)
                        .setAttributes(Json.write(attributes)).create(twilio);
                values.put("task", task.getSid());
                assertEquals("reserved", task(task.getSid()).path("assignment_status").asText(), "the task is reserved");
            }
            default -> throw new AssertionError("unknown call setup '" + setup + "'");
        }
        values.put("agentSid", WORKERS.get(values.get("agent")));
        values.put("otherSid", WORKERS.get(values.get("other")));
        return values;
    }

    /** Every item of every table, as text by key: what "no record behind" compares. */
    static Map<String, String> records() {
        Map<String, String> items = new TreeMap<>();
        try (var dynamo = DynamoDbClients.create(runtime.dynamoDbEndpoint(), "us-east-1", false)) {
            for (String table : runtime.tableNames().values()) {
                dynamo.scanPaginator(ScanRequest.builder().tableName(table).consistentRead(true).build()).items().forEach(item -> {
                    Map<String, AttributeValue> sorted = new TreeMap<>(item);
                    items.put(table + " " + item.get("pk").s() + " " + item.get("sk").s(), sorted.toString());
                });
            }
        }
        return items;
    }

    /** The items that differ, by key: what the item is after the case (or "deleted"). */
    private static Map<String, String> changes(Map<String, String> before, Map<String, String> after) {
        Map<String, String> changed = new TreeMap<>();
        after.forEach((key, item) -> {
            if (!item.equals(before.get(key))) {
                changed.put(key, (before.containsKey(key) ? "changed to " : "created as ") + abbreviate(item));
            }
        });
        before.keySet().stream().filter(key -> !after.containsKey(key)).forEach(key -> changed.put(key, "deleted"));
        return changed;
    }

    private static void checkTwiml(String xml, JsonNode expect, String what) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setExpandEntityReferences(false);
        Document document;
        try {
            document = factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new AssertionError("the answer is not well-formed XML (" + e.getMessage() + "); " + what);
        }
        Element root = document.getDocumentElement();
        assertEquals("Response", root.getTagName(), "TwiML's root is <Response>; " + what);
        List<String> verbs = new ArrayList<>();
        StringBuilder said = new StringBuilder();
        Set<String> nested = new HashSet<>();
        for (Node child = root.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element) {
                verbs.add(element.getTagName());
                if (element.getTagName().equals("Say")) {
                    said.append(element.getTextContent());
                }
                for (Node inner = element.getFirstChild(); inner != null; inner = inner.getNextSibling()) {
                    if (inner instanceof Element innerElement) {
                        nested.add(element.getTagName() + "/" + innerElement.getTagName());
                    }
                }
            }
        }
        List<String> expected = new ArrayList<>();
        expect.path("twiml").forEach(v -> expected.add(v.asText()));
        assertEquals(expected, verbs, "the TwiML's verbs; " + what);
        assertTrue(Set.of("Dial/Conference").containsAll(nested), "only a conference is dialled: " + nested + "; " + what);
        for (JsonNode text : expect.path("says")) {
            assertTrue(said.toString().contains(text.asText()), "<Say> speaks '" + text.asText() + "' as text, not TwiML; " + what);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Replaces {name} placeholders with the case's values; unknown names stay as they are. */
    static String fill(String text, Map<String, String> values) {
        String out = text;
        for (Map.Entry<String, String> value : values.entrySet()) {
            out = out.replace("{" + value.getKey() + "}", value.getValue());
        }
        return out;
    }

    static JsonNode fillJson(JsonNode node, Map<String, String> values) {
        if (node.isTextual()) {
            return TextNode.valueOf(fill(node.asText(), values));
        }
        if (node.isObject()) {
            ObjectNode out = Json.MAPPER.createObjectNode();
            node.fields().forEachRemaining(f -> out.set(fill(f.getKey(), values), fillJson(f.getValue(), values)));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = Json.MAPPER.createArrayNode();
            node.forEach(n -> out.add(fillJson(n, values)));
            return out;
        }
        return node;
    }

    /** A form as Twilio would sign it, or nothing when it cannot be read (then no signature can match). */
    static Map<String, String> parseForm(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        try {
            for (String pair : body.split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    form.putIfAbsent(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        } catch (IllegalArgumentException e) {
            return Map.of();
        }
        return form;
    }

    static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new HashSet<>(a);
        out.addAll(b);
        return Set.copyOf(out);
    }
}
