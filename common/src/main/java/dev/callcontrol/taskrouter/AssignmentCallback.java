package dev.callcontrol.taskrouter;

import dev.callcontrol.callsetup.CallInstruction;
import dev.callcontrol.callsetup.ConferenceInstruction;
import dev.callcontrol.callsetup.Instruction;
import dev.callcontrol.callsetup.TaskAssignment;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.JsonValues;

import java.util.LinkedHashMap;
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

    private AssignmentCallback() {
    }

    /**
     * Reads the callback's form; anything missing or malformed is a 400. TaskRouter then calls the
     * workflow's fallback URL, the same route, which refuses it the same way, and lets that
     * reservation time out: a form TaskRouter never sends is not worth a guess.
     */
    public static TaskAssignment parse(Map<String, String> form) {
        return new TaskAssignment(
                sid(form, "TaskSid", TASK_SID),
                sid(form, "ReservationSid", RESERVATION_SID),
                sid(form, "WorkerSid", WORKER_SID),
                attributes(form, "TaskAttributes"),
                attributes(form, "WorkerAttributes"));
    }

    /**
     * The instruction as TaskRouter reads it, written with Jackson's streaming generator: the
     * assignment callback's path builds no object mapper (docs/performance.md).
     */
    public static String json(Instruction instruction) {
        return switch (instruction) {
            case ConferenceInstruction conference -> json(conference);
            case CallInstruction call -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("instruction", "call");
                body.put("from", call.from());
                body.put("to", call.to());
                body.put("url", call.url());
                body.put("status_callback_url", call.statusCallbackUrl());
                body.put("timeout", call.timeoutSeconds());
                body.put("accept", call.accept());
                yield write(body);
            }
        };
    }

    public static String json(ConferenceInstruction instruction) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instruction", "conference");
        body.put("from", instruction.from());
        body.put("to", instruction.to());
        body.put("timeout", instruction.timeoutSeconds());
        if (instruction.record()) {
            body.put("conference_record", "record-from-start");
        }
        body.put("conference_status_callback", instruction.statusCallbackUrl());
        body.put("conference_status_callback_method", "POST");
        body.put("conference_status_callback_event", String.join(",", instruction.statusCallbackEvents()));
        body.put("end_conference_on_exit", instruction.endConferenceOnExit());
        body.put("end_conference_on_customer_exit", instruction.endConferenceOnCustomerExit());
        body.put("beep", instruction.beep());
        return write(body);
    }

    /** The body without its null fields, as TaskRouter reads a missing key as the default. */
    private static String write(Map<String, Object> body) {
        body.values().removeIf(java.util.Objects::isNull);
        return JsonValues.write(body);
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
        return JsonValues.parseObject(form.get(name), name);
    }
}
