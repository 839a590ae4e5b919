package dev.callcontrol.local.sim;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callcontrol.http.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks each REST request the simulator receives against Twilio's own OpenAPI descriptions
 * (twilio/twilio-oai): paths, methods, parameter names, enums and SID patterns. The specs are not
 * part of this repository; {@code TWILIO_OAI_DIR} names their folder, by default
 * {@code ../shared/twilio-oai} beside the repository.
 */
public final class ContractCheck {
    private static final String API = "twilio_api_v2010.json";
    private static final String TASKROUTER = "twilio_taskrouter_v1.json";

    private static final String FORM = "application/x-www-form-urlencoded";
    /**
     * Every form value is a string on the wire, but the validator guesses JSON types from the text
     * ("+14155550100" becomes a number, "true" a boolean, one value of an array a scalar) and then
     * refuses requests Twilio accepts. So each form body is typed by its operation's schema and
     * checked as JSON against the same schema, declared again under this media type.
     */
    private static final String FORM_AS_JSON = "application/vnd.simulator.form+json";

    /** A form-bodied operation: its method, its path template as a pattern, and its parameters' declared types. */
    private record FormOperation(String method, Pattern path, int variables, Map<String, String> types) {
    }

    /** One spec: its validator and its form operations. */
    private record Spec(OpenApiInteractionValidator validator, List<FormOperation> forms) {
    }

    private final Spec api;
    private final Spec taskRouter;

    private ContractCheck(Spec api, Spec taskRouter) {
        this.api = api;
        this.taskRouter = taskRouter;
    }

    /** The check over the specs in {@code directory}, or empty when they are not there. */
    public static Optional<ContractCheck> load(Path directory) {
        if (directory == null || !Files.isRegularFile(directory.resolve(API)) || !Files.isRegularFile(directory.resolve(TASKROUTER))) {
            return Optional.empty();
        }
        return Optional.of(new ContractCheck(validator(directory.resolve(API)), validator(directory.resolve(TASKROUTER))));
    }

    /** Where the specs are expected: {@code TWILIO_OAI_DIR}, else {@code ../shared/twilio-oai} from the repository root. */
    public static Path defaultDirectory(Map<String, String> environment, Path repositoryRoot) {
        String configured = environment.get("TWILIO_OAI_DIR");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return repositoryRoot.resolve("..").resolve("shared").resolve("twilio-oai").normalize();
    }

    private static Spec validator(Path file) {
        JsonNode spec;
        try {
            spec = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Twilio's OpenAPI spec " + file, e);
        }
        List<FormOperation> forms = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : spec.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
                JsonNode content = operation.getValue().path("requestBody").path("content");
                if (!content.has(FORM)) {
                    continue;
                }
                JsonNode schema = content.get(FORM).path("schema");
                ((ObjectNode) content).set(FORM_AS_JSON, content.get(FORM).deepCopy());
                Map<String, String> types = new HashMap<>();
                schema.path("properties").properties().forEach(p -> types.put(p.getKey(), type(spec, p.getValue())));
                String template = path.getKey();
                String regex = "^" + Pattern.quote(template).replaceAll("\\{[^/}]+}", "\\\\E[^/]+\\\\Q") + "$";
                forms.add(new FormOperation(operation.getKey().toUpperCase(java.util.Locale.ROOT), Pattern.compile(regex),
                        template.split("\\{", -1).length - 1, types));
            }
        }
        forms.sort(Comparator.comparingInt(FormOperation::variables));
        return new Spec(OpenApiInteractionValidator.createForInlineApiSpecification(spec.toString()).build(), forms);
    }

    /** A property's declared type ({@code array:<item type>} for arrays); enums referenced from components are strings. */
    private static String type(JsonNode spec, JsonNode property) {
        JsonNode resolved = property;
        if (property.has("$ref")) {
            resolved = spec.at(property.get("$ref").asText().substring(1));
        }
        String type = resolved.path("type").asText("string");
        return type.equals("array") ? "array:" + type(spec, resolved.path("items")) : type;
    }

    /** The form body as the JSON its schema describes: each value given its declared type when it has one. */
    private static String typedForm(FormOperation operation, String body) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        TwilioSimulator.decode(body).forEach((name, values) -> {
            String type = operation.types().getOrDefault(name, "string");
            if (type.startsWith("array:") || values.size() > 1) {
                ArrayNode array = out.putArray(name);
                values.forEach(value -> array.add(typed(type.startsWith("array:") ? type.substring(6) : type, value)));
            } else {
                out.set(name, typed(type, values.get(0)));
            }
        });
        return out.toString();
    }

    /** A value that does not read as its declared type stays text, so the schema reports it. */
    private static JsonNode typed(String type, String value) {
        String trimmed = value.trim();
        try {
            return switch (type) {
                case "integer" -> JsonNodeFactory.instance.numberNode(Long.parseLong(trimmed));
                case "number" -> JsonNodeFactory.instance.numberNode(Double.parseDouble(trimmed));
                case "boolean" -> trimmed.equalsIgnoreCase("true") || trimmed.equalsIgnoreCase("false")
                        ? JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(trimmed))
                        : JsonNodeFactory.instance.textNode(value);
                default -> JsonNodeFactory.instance.textNode(value);
            };
        } catch (NumberFormatException e) {
            return JsonNodeFactory.instance.textNode(value);
        }
    }

    /** Every way the request departs from the contract, each naming the parameter concerned; empty when it conforms. */
    public List<String> violations(String method, String path, Map<String, List<String>> query, String contentType,
                                   String body, String authorization) {
        SimpleRequest.Builder builder = new SimpleRequest.Builder(Request.Method.valueOf(method), path);
        query.forEach(builder::withQueryParam);
        if (authorization != null) {
            builder.withAuthorization(authorization);
        }
        Spec spec = path.startsWith("/v1/") ? taskRouter : api;
        if (contentType != null && contentType.startsWith(FORM) && body != null && !body.isEmpty()) {
            FormOperation form = spec.forms().stream().filter(f -> f.method().equals(method) && f.path().matcher(path).matches())
                    .findFirst().orElse(null);
            if (form != null) {
                body = typedForm(form, body);
                contentType = FORM_AS_JSON;
            }
        }
        if (contentType != null) {
            builder.withContentType(contentType);
        }
        if (body != null && !body.isEmpty()) {
            builder.withBody(body);
        }
        ValidationReport report = spec.validator().validateRequest(builder.build());
        List<String> violations = new ArrayList<>();
        for (ValidationReport.Message message : report.getMessages()) {
            if (message.getLevel() != ValidationReport.Level.ERROR || message.getKey().startsWith("validation.request.security")) {
                continue;
            }
            violations.add(describe(message));
        }
        return violations;
    }

    private static String describe(ValidationReport.Message message) {
        String where = message.getContext().flatMap(context -> context.getParameter().map(p -> "parameter " + p.getName())
                .or(() -> context.getPointers().map(p -> "parameter " + p.getInstance().replaceFirst("^/", ""))))
                .filter(text -> !text.equals("parameter "))
                .orElse("request");
        return where + ": " + message.getMessage();
    }
}
