package dev.callcontrol.calls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reservation of a task answered with TaskRouter's {@code call} instruction (a transfer target,
 * the agent of a pre-call whisper) is accepted by the product when the worker's leg answers, and
 * rejected when it rings out, so that TaskRouter offers the task again.
 *
 * <p>The instruction never asks TaskRouter to accept ({@code CallAccept} false). Twilio documents
 * that option two ways: the Reservation update operation of {@code twilio_taskrouter_v1.json} says
 * only "whether to accept a reservation when executing a Call instruction", while
 * twilio-taskrouter.js's {@code Reservation.call} documents it as accepting before the call is
 * placed. Under the second reading a worker who never answers would hold the task for good and the
 * customer would wait on hold, or in the queue, for nobody. Accepting only once the worker is on the
 * line is correct under both (docs/decisions.md, "The call instruction's accept").
 */
final class LegAcceptance {
    private static final Logger LOG = LoggerFactory.getLogger(LegAcceptance.class);

    private final Telephony telephony;

    LegAcceptance(Ports ports) {
        this.telephony = ports.telephony();
    }

    /**
     * The worker's leg answered: accepts their reservation, and answers whether they may take the
     * call. A reservation accepted already (a repeated TwiML fetch) is theirs; one that is gone
     * (timed out, rescinded, canceled while the phone rang) is not, and TaskRouter's own events
     * say what became of the task. A leg placed without a reservation to name (an instruction
     * given before this rule) was accepted by TaskRouter.
     */
    boolean onAnswer(String taskSid, String reservationSid) {
        if (reservationSid == null) {
            return true;
        }
        Telephony.Acceptance acceptance = telephony.acceptReservation(taskSid, reservationSid);
        if (acceptance == Telephony.Acceptance.GONE) {
            LOG.info("The worker answered, but reservation {} is no longer pending", reservationSid);
            return false;
        }
        return true;
    }

    /** The worker's leg rang out: their reservation is rejected, so TaskRouter offers the task to the next worker. */
    void onUnanswered(String taskSid, String reservationSid, String why) {
        if (reservationSid == null) {
            return;
        }
        FollowUps.quietly("rejecting the reservation of a worker who did not answer", () -> {
            if (telephony.rejectReservation(taskSid, reservationSid)) {
                LOG.info("Rejected reservation {}: {}; TaskRouter offers the task again", reservationSid, why);
            }
        });
    }
}
