package dev.callcontrol.local.sim;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.ValidationReport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks each REST request the simulator receives against Twilio's own OpenAPI descriptions
 * (twilio/twilio-oai): paths, methods, parameter names, enums and SID patterns. The specs are not
 * part of this repository; {@code TWILIO_OAI_DIR} names their folder, by default
 * {@code ../shared/twilio-oai} beside the repository.
 */
public final class ContractCheck {
    private static final String API = "twilio_api_v2010.json";
    private static final String TASKROUTER = "twilio_taskrouter_v1.json";

    private final OpenApiInteractionValidator api;
    private final OpenApiInteractionValidator taskRouter;

    private ContractCheck(OpenApiInteractionValidator api, OpenApiInteractionValidator taskRouter) {
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

    private static OpenApiInteractionValidator validator(Path spec) {
        return OpenApiInteractionValidator.createForSpecificationUrl(spec.toUri().toString()).build();
    }

    /** Every way the request departs from the contract, each naming the parameter concerned; empty when it conforms. */
    public List<String> violations(String method, String path, Map<String, List<String>> query, String contentType,
                                   String body, String authorization) {
        SimpleRequest.Builder builder = new SimpleRequest.Builder(Request.Method.valueOf(method), path);
        query.forEach(builder::withQueryParam);
        if (authorization != null) {
            builder.withAuthorization(authorization);
        }
        if (contentType != null) {
            builder.withContentType(contentType);
        }
        if (body != null && !body.isEmpty()) {
            builder.withBody(body);
        }
        OpenApiInteractionValidator validator = path.startsWith("/v1/") ? taskRouter : api;
        ValidationReport report = validator.validateRequest(builder.build());
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
