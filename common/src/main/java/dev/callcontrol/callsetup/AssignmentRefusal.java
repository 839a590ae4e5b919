package dev.callcontrol.callsetup;

import dev.callcontrol.calls.Telephony;
import dev.callcontrol.agent.CallControlException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * What the product does with a reservation it will not take, so that no agent pays for it. The
 * assignment callback used to answer 422 and count on a fallback URL, which the workspace setup
 * never configured: TaskRouter then let the reservation time out (the workflow's
 * {@code task_reservation_timeout}) and moved the agent to the workspace's timeout activity, while
 * the customer waited for nobody.
 *
 * <ul>
 *   <li>A task nobody can take ({@link AssignmentRejected.Reason#ofTheTask()}: a malformed transfer,
 *   an outbound number that is invalid or not allowed) is canceled, with the reason, so TaskRouter
 *   offers it to nobody else; a transfer task's cancellation puts its customer back as any canceled
 *   transfer does (the event callback's {@code task.canceled}).</li>
 *   <li>A worker who cannot be rung (no {@code contact_uri}) has the reservation rejected and moves to
 *   the timeout activity at once, as TaskRouter would have done after the timeout, so the task goes
 *   to the next worker now and is not offered to this one again.</li>
 * </ul>
 *
 * Both are REST requests made while TaskRouter waits for the callback's answer, which is then
 * {@code {}}: "handle the reservation later" (https://www.twilio.com/docs/api/errors/40005). When
 * Twilio cannot be reached, the answer is the {@code reject} instruction instead, which leaves the
 * worker's activity alone where TaskRouter accepts a reject without {@code activity_sid}.
 */
public final class AssignmentRefusal {
    /** How the reason of every task the product cancels itself begins (so that its task.canceled is not taken for an abandon). */
    public static final String REASON_PREFIX = "call-control refused the task: ";

    private static final Logger LOG = LoggerFactory.getLogger(AssignmentRefusal.class);

    /** How the callback answers after refusing. */
    public enum Answer {
        /** Handled over REST: the callback answers {@code {}}. */
        HANDLED,
        /** REST failed: the callback answers the {@code reject} instruction. */
        REJECT_INSTRUCTION
    }

    private final Telephony telephony;

    public AssignmentRefusal(Telephony telephony) {
        this.telephony = telephony;
    }

    public Answer refuse(String taskSid, String reservationSid, AssignmentRejected refused) {
        String reason = refused.reason().name().toLowerCase(Locale.ROOT);
        try {
            if (refused.reason().ofTheTask()) {
                boolean canceled = telephony.updateTask(taskSid, Telephony.TaskStatus.CANCELED, REASON_PREFIX + reason);
                LOG.warn("Canceled the task, which no worker can take ({}): {}{}", reason, refused.getMessage(), canceled ? "" : " (it had already moved on)");
            } else {
                boolean rejected = telephony.rejectReservationOfUnreachableWorker(taskSid, reservationSid);
                LOG.warn("Rejected the reservation of a worker who cannot be rung ({}): {}{}", reason, refused.getMessage(),
                        rejected ? "; the worker is now in the timeout activity" : " (it was no longer pending)");
            }
            return Answer.HANDLED;
        } catch (CallControlException e) {
            LOG.error("Could not refuse the reservation over REST ({}); answering with the reject instruction: {}", reason, e.getMessage());
            return Answer.REJECT_INSTRUCTION;
        }
    }
}
