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
 * (twilio/twilio-oai): paths, methods, parameter names, enums and SID patterns; and each JSON
 * instruction an assignment callback answers against the operation it stands for, the Reservation
 * update ({@link #instructionViolations}). The specs are not part of this repository;
 * {@code TWILIO_OAI_DIR} names their folder, by default {@code ../shared/twilio-oai} beside the
 * repository.
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
    /** The Reservation update, which an assignment instruction is the JSON form of. */
    private static final String RESERVATION_UPDATE = "/v1/Workspaces/%s/Tasks/%s/Reservations/%s";
    /** An instruction's keys are snake_case (https://www.twilio.com/docs/taskrouter/handle-assignment-callbacks). */
    private static final Pattern SNAKE_CASE = Pattern.compile("^[a-z][a-z0-9]*(_[a-z0-9]+)*$");
    /** The prefix the Reservation update gives the parameters of these instructions. */
    private static final Map<String, String> PREFIXES = Map.of("call", "Call", "dequeue", "Dequeue", "redirect", "Redirect");
    /** Keys the assignment callback spells otherwise than its instruction's prefix and the key in PascalCase. */
    private static final Map<String, String> ALIASES = Map.of(
            // https://www.twilio.com/docs/api/errors/40100: { "instruction": "reject", "activity_sid": "WA..." }
            "reject activity_sid", "WorkerActivitySid",
            // https://www.twilio.com/docs/api/errors/40134: "status_callback_events" answering the callback, DequeueStatusCallbackEvent over REST
            "dequeue status_callback_events", "DequeueStatusCallbackEvent");

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

    /**
     * How an assignment instruction departs from the contract, one entry a problem; empty when it
     * conforms.
     *
     * @param key       the instruction's key (or {@code instruction} for the whole answer)
     * @param parameter the Reservation update's parameter it stands for, null when there is none
     * @param problem   what is wrong with it
     */
    public record InstructionViolation(String key, String parameter, String problem) {
        @Override
        public String toString() {
            return "key " + key + (parameter == null ? "" : " (" + parameter + ")") + ": " + problem;
        }
    }

    /**
     * Every way an assignment callback's JSON instruction departs from the Reservation update
     * ({@code POST /v1/Workspaces/{WorkspaceSid}/Tasks/{TaskSid}/Reservations/{Sid}}) that it is the
     * JSON form of: each key becomes that operation's parameter ({@code from} is {@code From}, and
     * the {@code call}, {@code dequeue} and {@code redirect} instructions' keys take their prefix:
     * {@code url} is {@code CallUrl}), and the parameters are checked as that REST request's form
     * would be. A key that is no parameter, a value of another type than declared, and a value (or an
     * element of a list, given as a JSON array or a comma-separated string) outside its enum are
     * violations. Values are read as their form text would be, so {@code "timeout": "30"} is an
     * integer and {@code "beep": true} the string {@code true}; an object, or a list where one value
     * is wanted, is the wrong type.
     */
    public List<InstructionViolation> instructionViolations(String workspaceSid, String taskSid, String reservationSid, JsonNode instruction) {
        List<InstructionViolation> violations = new ArrayList<>();
        if (instruction == null || !instruction.isObject()) {
            violations.add(new InstructionViolation("instruction", null, "the answer is not a JSON object"));
            return violations;
        }
        String path = RESERVATION_UPDATE.formatted(workspaceSid, taskSid, reservationSid);
        FormOperation operation = taskRouter.forms().stream().filter(f -> f.method().equals("POST") && f.path().matcher(path).matches())
                .findFirst().orElseThrow(() -> new IllegalStateException("twilio_taskrouter_v1.json has no Reservation update"));
        JsonNode name = instruction.path("instruction");
        String kind = name.isTextual() ? name.asText().toLowerCase(java.util.Locale.ROOT) : "";
        ObjectNode form = JsonNodeFactory.instance.objectNode();
        Map<String, String> keys = new HashMap<>();
        for (Map.Entry<String, JsonNode> field : instruction.properties()) {
            String key = field.getKey();
            String parameter = parameterOf(kind, key);
            if (parameter == null || !operation.types().containsKey(parameter)) {
                violations.add(new InstructionViolation(key, null, "not a parameter of the Reservation update"
                        + (parameter == null ? " (keys are snake_case)" : " (no " + parameter + ")")));
                continue;
            }
            if (keys.containsKey(parameter)) {
                violations.add(new InstructionViolation(key, parameter, "given twice, also as " + keys.get(parameter)));
                continue;
            }
            keys.put(parameter, key);
            form.set(parameter, instructionValue(operation.types().get(parameter), field.getValue()));
        }
        SimpleRequest request = new SimpleRequest.Builder(Request.Method.POST, path)
                .withContentType(FORM_AS_JSON).withBody(form.toString()).build();
        for (ValidationReport.Message message : taskRouter.validator().validateRequest(request).getMessages()) {
            if (message.getLevel() != ValidationReport.Level.ERROR || message.getKey().startsWith("validation.request.security")) {
                continue;
            }
            String pointer = message.getContext().flatMap(ValidationReport.MessageContext::getPointers).map(p -> p.getInstance()).orElse("");
            String parameter = pointer.replaceFirst("^/", "").replaceFirst("/.*$", "");
            JsonNode value = pointer.isEmpty() ? null : form.at(pointer);
            String given = value == null || value.isMissingNode() || value.isContainerNode() ? "" : " (given " + value + ")";
            violations.add(parameter.isEmpty() ? new InstructionViolation("instruction", null, message.getMessage())
                    : new InstructionViolation(keys.getOrDefault(parameter, parameter), parameter, message.getMessage() + given));
        }
        return violations;
    }

    /** The Reservation update's parameter for an instruction's key, or null for a key that is not snake_case. */
    static String parameterOf(String instruction, String key) {
        if (!SNAKE_CASE.matcher(key).matches()) {
            return null;
        }
        if (key.equals("instruction")) {
            return "Instruction";
        }
        String alias = ALIASES.get(instruction + " " + key);
        if (alias != null) {
            return alias;
        }
        StringBuilder parameter = new StringBuilder(PREFIXES.getOrDefault(instruction, ""));
        for (String word : key.split("_")) {
            parameter.append(Character.toUpperCase(word.charAt(0))).append(word, 1, word.length());
        }
        return parameter.toString();
    }

    /** An instruction's value as its form parameter would read: a list for a list parameter (from an array or comma-separated text). */
    private static JsonNode instructionValue(String type, JsonNode value) {
        if (!type.startsWith("array:")) {
            return instructionScalar(type, value);
        }
        String item = type.substring(6);
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        if (value.isArray()) {
            value.forEach(element -> list.add(instructionScalar(item, element)));
        } else if (value.isTextual()) {
            for (String element : value.asText().split(",")) {
                if (!element.isBlank()) {
                    list.add(typed(item, element.trim()));
                }
            }
        } else {
            list.add(instructionScalar(item, value));
        }
        return list;
    }

    /** A string, number or boolean as its text, typed as declared; anything else as it is, for the schema to refuse. */
    private static JsonNode instructionScalar(String type, JsonNode value) {
        return value.isValueNode() && !value.isNull() ? typed(type, value.asText()) : value;
    }

    private static String describe(ValidationReport.Message message) {
        String where = message.getContext().flatMap(context -> context.getParameter().map(p -> "parameter " + p.getName())
                .or(() -> context.getPointers().map(p -> "parameter " + p.getInstance().replaceFirst("^/", ""))))
                .filter(text -> !text.equals("parameter "))
                .orElse("request");
        return where + ": " + message.getMessage();
    }
}
