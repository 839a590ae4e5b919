package dev.callcontrol.calls;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pre-call automated whisper ({@code AGENT_WHISPER=true}): the words the agent hears before
 * being connected to a waiting caller. The agent's join afterwards brings the caller in
 * ({@link ConferencePolicy}).
 */
final class PreCallWhisper {
    private final Telephony telephony;

    PreCallWhisper(Ports ports) {
        this.telephony = ports.telephony();
    }

    /**
     * Who is calling, from which queue, how long they waited and why (the task's {@code reason},
     * when it has one). Empty when the caller is no longer waiting. One request (the task).
     */
    Optional<String> words(String taskSid) {
        Telephony.TaskContext task = telephony.task(taskSid).orElse(null);
        if (task == null || !Set.of("reserved", "assigned").contains(task.assignmentStatus())) {
            return Optional.empty();
        }
        Map<String, Object> attributes = task.attributes();
        StringBuilder text = new StringBuilder();
        Object name = attributes.get("caller_name");
        Object from = attributes.get("from");
        if (name instanceof String caller && !caller.isBlank()) {
            text.append("Call from ").append(caller.trim()).append(". ");
        } else if (from instanceof String number && !number.isBlank()) {
            text.append("Call from ").append(spoken(number.trim())).append(". ");
        } else {
            text.append("Incoming call. ");
        }
        if (task.queueName() != null) {
            text.append("Queue ").append(task.queueName()).append(". ");
        }
        int age = task.ageSeconds();
        text.append("Waited ").append(age < 60 ? age + (age == 1 ? " second" : " seconds")
                : (age / 60) + (age / 60 == 1 ? " minute" : " minutes")).append(". ");
        if (attributes.get("reason") instanceof String reason && !reason.isBlank()) {
            text.append("Reason: ").append(reason.trim()).append(". ");
        }
        return Optional.of(text.toString().trim());
    }

    /** A number read digit by digit, as a person would say it. */
    private static String spoken(String number) {
        StringBuilder out = new StringBuilder();
        for (char c : number.toCharArray()) {
            if (Character.isDigit(c)) {
                out.append(out.isEmpty() ? "" : " ").append(c);
            }
        }
        return out.toString();
    }
}
