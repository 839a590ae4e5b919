package dev.callcontrol.local.scenario;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import dev.callcontrol.local.AgentExchange;
import dev.callcontrol.local.LocalRuntime;
import dev.callcontrol.testing.Project;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every agent-API exchange of a scenario held against docs/agent-api.yaml: each answer must be one
 * the description gives for that route and status, and each request the product accepted (2xx)
 * must be one the description allows. A request the product refused is not checked against the
 * description: scenarios send bad input on purpose, and the refusal is what is checked.
 */
final class AgentApiContract {
    private static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
            .createForSpecificationUrl(description().toUri().toString()).build();

    private final List<String> mismatches = new ArrayList<>();
    private int checked;

    private AgentApiContract() {
    }

    static Path description() {
        return Project.root().resolve("docs/agent-api.yaml");
    }

    /** Checks every exchange of {@code runtime}'s agent API from now on. */
    static AgentApiContract watch(LocalRuntime runtime) {
        AgentApiContract contract = new AgentApiContract();
        runtime.observeAgentApi(contract::check);
        return contract;
    }

    /** The mismatches found so far, as one message each (emptied by the call). */
    synchronized List<String> takeMismatches() {
        List<String> out = List.copyOf(mismatches);
        mismatches.clear();
        return out;
    }

    /** How many exchanges were checked so far. */
    synchronized int checked() {
        return checked;
    }

    void check(AgentExchange exchange) {
        List<String> found = mismatches(exchange);
        synchronized (this) {
            checked++;
            found.forEach(message -> mismatches.add(exchange.method() + " " + exchange.path()
                    + (exchange.rawQuery() == null ? "" : "?" + exchange.rawQuery()) + " -> " + exchange.status() + ": " + message));
        }
    }

    /** What in one exchange does not match the description (empty when it all does). */
    static List<String> mismatches(AgentExchange exchange) {
        List<String> out = new ArrayList<>();
        Request.Method method = Request.Method.valueOf(exchange.method().toUpperCase(Locale.ROOT));
        if (exchange.status() >= 200 && exchange.status() < 300) {
            messages(VALIDATOR.validateRequest(request(exchange, method)), "request", out);
        }
        SimpleResponse.Builder response = SimpleResponse.Builder.status(exchange.status());
        exchange.responseHeaders().forEach(response::withHeader);
        if (exchange.responseBody().length > 0) {
            response.withBody(new String(exchange.responseBody(), StandardCharsets.UTF_8));
        }
        messages(VALIDATOR.validateResponse(exchange.path(), method, response.build()), "response", out);
        return out;
    }

    private static SimpleRequest request(AgentExchange exchange, Request.Method method) {
        SimpleRequest.Builder request = new SimpleRequest.Builder(method, exchange.path());
        exchange.requestHeaders().forEach((name, values) -> request.withHeader(name, values));
        query(exchange.rawQuery()).forEach(request::withQueryParam);
        if (exchange.requestBody().length > 0) {
            request.withBody(new String(exchange.requestBody(), StandardCharsets.UTF_8));
        }
        return request.build();
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static void messages(ValidationReport report, String what, List<String> out) {
        for (ValidationReport.Message message : report.getMessages()) {
            if (message.getLevel() == ValidationReport.Level.ERROR) {
                out.add(what + ": " + message.getKey() + ": " + message.getMessage());
            }
        }
    }
}
