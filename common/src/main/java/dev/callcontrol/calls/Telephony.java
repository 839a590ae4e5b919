package dev.callcontrol.calls;

import java.util.Optional;

/** What call control needs from Twilio (TaskRouter and Voice): the port the domain talks to. */
public interface Telephony {
    /** A task as call control sees it: its state, its caller's leg and the worker whose reservation was accepted. */
    record TaskContext(String taskSid, String assignmentStatus, String customerCallSid, String workerSid) {
    }

    /** The task, or empty when TaskRouter does not know it. */
    Optional<TaskContext> task(String taskSid);

    /** Holds or resumes a participant; a participant that already left raises a 409 {@code call_ended}. */
    void hold(String conferenceSid, String callSid, boolean hold, String holdUrl);
}
