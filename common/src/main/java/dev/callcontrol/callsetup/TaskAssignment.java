package dev.callcontrol.callsetup;

import java.util.Map;

/**
 * A reservation TaskRouter offers through the assignment callback: which task, which worker, and
 * the attributes of both as TaskRouter sent them (JSON objects, already parsed).
 */
public record TaskAssignment(
        String taskSid,
        String reservationSid,
        String workerSid,
        Map<String, Object> taskAttributes,
        Map<String, Object> workerAttributes) {

    public TaskAssignment {
        // TaskRouter attributes may hold JSON nulls, which Map.copyOf refuses.
        taskAttributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(taskAttributes));
        workerAttributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(workerAttributes));
    }

    /**
     * A voice task carries the customer's call SID (written by {@code <Enqueue>}) or, for an outbound
     * call, the number TaskRouter dials once the agent is in the conference ({@code outbound_to}).
     */
    public boolean isVoice() {
        return customerCallSid() != null || outboundTo() != null;
    }

    /** The customer's number of an outbound call, else {@code null}. */
    public String outboundTo() {
        return text(taskAttributes, "outbound_to");
    }

    /** The caller ID an outbound call shows the customer ({@code outbound_from}, chosen by the agent), else {@code null}. */
    public String outboundFrom() {
        return text(taskAttributes, "outbound_from");
    }

    /** The customer's call SID for voice tasks, else {@code null}. */
    public String customerCallSid() {
        return text(taskAttributes, "call_sid");
    }

    /** Transfer tasks carry a {@code transfer} object naming the original task and conference. */
    public boolean isTransfer() {
        return taskAttributes.get("transfer") instanceof Map<?, ?>;
    }

    /** For a transfer task, the task that names the call's conference ({@code transfer.call_task_sid}); else {@code null}. */
    public String transferCallTaskSid() {
        return taskAttributes.get("transfer") instanceof Map<?, ?> transfer && transfer.get("call_task_sid") instanceof String sid
                && sid.matches("^WT[0-9a-fA-F]{32}$") ? sid : null;
    }

    /** The number the customer called, which the agent sees as caller ID; {@code null} when unknown. */
    public String calledNumber() {
        String called = text(taskAttributes, "called");
        return called != null ? called : text(taskAttributes, "to");
    }

    /** Where TaskRouter should ring the worker: the worker's {@code contact_uri}. */
    public String workerContactUri() {
        return text(workerAttributes, "contact_uri");
    }

    static String text(Map<String, Object> attributes, String name) {
        Object value = attributes.get(name);
        if (value instanceof String text && !text.isBlank()) {
            return text.trim();
        }
        return null;
    }
}
