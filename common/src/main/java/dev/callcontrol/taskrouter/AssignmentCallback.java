package dev.callcontrol.taskrouter;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.callsetup.CallInstruction;
import dev.callcontrol.callsetup.ConferenceInstruction;
import dev.callcontrol.callsetup.Instruction;
import dev.callcontrol.callsetup.TaskAssignment;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * TaskRouter's assignment callback in Twilio's spelling: the form TaskRouter posts, and the JSON
 * instruction it expects back (snake_case keys).
 */
public final class AssignmentCallback {
    private static final Pattern TASK_SID = Pattern.compile("^WT[0-9a-fA-F]{32}$");
    private static final Pattern RESERVATION_SID = Pattern.compile("^WR[0-9a-fA-F]{32}$");
    private static final Pattern WORKER_SID = Pattern.compile("^WK[0-9a-fA-F]{32}$");
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private AssignmentCallback() {
    }

    /** Reads the callback's form; anything missing or malformed is a 400, which sends TaskRouter to its fallback URL. */
    public static TaskAssignment parse(Map<String, String> form) {
        return new TaskAssignment(
                sid(form, "TaskSid", TASK_SID),
                sid(form, "ReservationSid", RESERVATION_SID),
                sid(form, "WorkerSid", WORKER_SID),
                attributes(form, "TaskAttributes"),
                attributes(form, "WorkerAttributes"));
    }

    /** The instruction as TaskRouter reads it. */
    public static String json(Instruction instruction) {
        return switch (instruction) {
            case ConferenceInstruction conference -> json(conference);
            case CallInstruction call -> Json.write(new CallBody("call", call.from(), call.to(), call.url(),
                    call.statusCallbackUrl(), call.timeoutSeconds(), call.accept()));
        };
    }

    public static String json(ConferenceInstruction instruction) {
        return Json.write(new ConferenceBody(
                "conference",
                instruction.from(),
                instruction.to(),
                instruction.timeoutSeconds(),
                instruction.record() ? "record-from-start" : null,
                instruction.statusCallbackUrl(),
                "POST",
                String.join(",", instruction.statusCallbackEvents()),
                instruction.endConferenceOnExit(),
                instruction.endConferenceOnCustomerExit(),
                instruction.beep()));
    }

    private static String sid(Map<String, String> form, String name, Pattern pattern) {
        String value = form.get(name);
        if (value == null || value.isBlank()) {
            throw HttpError.badRequest(name + " is missing");
        }
        if (!pattern.matcher(value).matches()) {
            throw HttpError.badRequest(name + " is not a valid " + name.replace("Sid", "") + " SID");
        }
        return value;
    }

    private static Map<String, Object> attributes(Map<String, String> form, String name) {
        JsonNode node = Json.parse(form.get(name), name);
        if (!node.isObject()) {
            throw HttpError.badRequest(name + " must be a JSON object");
        }
        return Json.MAPPER.convertValue(node, OBJECT);
    }

    record CallBody(
            String instruction,
            String from,
            String to,
            String url,
            @JsonProperty("status_callback_url") String statusCallbackUrl,
            int timeout,
            boolean accept) {
    }

    record ConferenceBody(
            String instruction,
            String from,
            String to,
            int timeout,
            @JsonProperty("conference_record") String conferenceRecord,
            @JsonProperty("conference_status_callback") String conferenceStatusCallback,
            @JsonProperty("conference_status_callback_method") String conferenceStatusCallbackMethod,
            @JsonProperty("conference_status_callback_event") String conferenceStatusCallbackEvent,
            @JsonProperty("end_conference_on_exit") boolean endConferenceOnExit,
            @JsonProperty("end_conference_on_customer_exit") boolean endConferenceOnCustomerExit,
            boolean beep) {
    }
}
