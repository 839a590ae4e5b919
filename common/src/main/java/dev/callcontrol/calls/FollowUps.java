package dev.callcontrol.calls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follow-up requests: Twilio requests sent after the step that matters has happened, whose failure
 * must not undo it. A failure is logged, not thrown.
 */
final class FollowUps {
    private static final Logger LOG = LoggerFactory.getLogger(FollowUps.class);

    private FollowUps() {
    }

    /** Runs a follow-up request; its failure is logged, not thrown. */
    static void quietly(String what, Runnable request) {
        try {
            request.run();
        } catch (RuntimeException e) {
            LOG.error("Failed {}: {}", what, e.getMessage());
        }
    }

    /** Cancels a task nobody should be offered any more. */
    static void cancelTask(Telephony telephony, String taskSid, String reason) {
        quietly("canceling task " + taskSid, () -> telephony.updateTask(taskSid, Telephony.TaskStatus.CANCELED, reason));
    }
}
