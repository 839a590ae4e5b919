package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hold and resume, the blueprint's first flow: the customer's participant is updated with
 * {@code Hold} and the hold-music URL, so they hear music and nobody hears them. One Twilio request,
 * and with {@code PAUSE_RECORDING_ON_HOLD} the recording paused or resumed with it ({@link Recordings}).
 */
final class Hold {
    private static final Logger LOG = LoggerFactory.getLogger(Hold.class);

    private final Ports ports;
    private final CallLookup lookup;
    private final Recordings recordings;

    Hold(Ports ports, CallLookup lookup, Recordings recordings) {
        this.ports = ports;
        this.lookup = lookup;
        this.recordings = recordings;
    }

    /**
     * Holds or resumes the customer. The request is sent even when the record says the customer is
     * already so: a request Twilio carried out but answered with a failure leaves the record
     * behind, and the agent's next press must still reach the call.
     *
     * <p>Refused (409 {@code transfer_in_progress}) while a cold transfer is under way: the agent
     * has handed the customer over and is leaving (their {@code participant-leave} may not have
     * arrived yet, or ever), and a resume would take the customer off hold music into a conference
     * with nobody in it. The customer stays held until the target joins or the transfer ends.
     */
    CallRecord hold(String taskSid, Principal principal, boolean hold) {
        CallRecord call = lookup.connectedCall(taskSid, principal, "hold");
        if (call.transfer != null) {
            throw CallControlException.conflict("transfer_in_progress", "the customer is being transferred, and stays on hold until the target answers");
        }
        CallRecord.Leg customer = CallLookup.presentCustomer(call);
        ports.telephony().hold(call.conferenceSid, customer.callSid, hold, ports.holdUrl());
        LOG.info(hold ? "Customer held" : "Customer resumed");
        CallRecord held = ports.records().update(call.taskSid, () -> call, record -> {
            CallRecord.Leg leg = record.customer();
            if (leg == null || leg.hold == hold) {
                return false;
            }
            leg.hold(hold, ports.clock().instant());
            return true;
        }).orElse(call);
        // Pause-on-hold: at once, rather than when Twilio's participant-hold arrives (which finds it done).
        recordings.follow(held);
        return held;
    }
}
