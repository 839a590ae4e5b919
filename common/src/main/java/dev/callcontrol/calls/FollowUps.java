package dev.callcontrol.calls;

import dev.callcontrol.http.Deadline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follow-up requests: Twilio requests sent after the step that matters has happened, whose failure
 * must not undo it, and the requests that undo a step that failed. A failure is logged, not thrown.
 * They are what the invocation's reserve is kept for ({@link Deadline#releaseReserve()}): from the
 * first one on, the invocation's requests may use it.
 */
final class FollowUps {
    private static final Logger LOG = LoggerFactory.getLogger(FollowUps.class);

    private FollowUps() {
    }

    /** Runs a follow-up request; its failure is logged, not thrown. */
    static void quietly(String what, Runnable request) {
        attempt(what, request);
    }

    /** Runs a follow-up request; answers whether it succeeded (its failure logged, not thrown). */
    static boolean attempt(String what, Runnable request) {
        Deadline.releaseReserve();
        try {
            request.run();
            return true;
        } catch (RuntimeException e) {
            LOG.error("Failed {}: {}", what, e.getMessage());
            return false;
        }
    }

    /** Cancels a task nobody should be offered any more. */
    static void cancelTask(Telephony telephony, String taskSid, String reason) {
        quietly("canceling task " + taskSid, () -> telephony.updateTask(taskSid, Telephony.TaskStatus.CANCELED, reason));
    }
}
