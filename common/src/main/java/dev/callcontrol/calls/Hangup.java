package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hang-up: one request ends the conference for everyone, by the connected agent or any
 * supervisor. The conference's end then moves every task of the call to wrap-up
 * ({@link ConferencePolicy}).
 */
final class Hangup {
    private static final Logger LOG = LoggerFactory.getLogger(Hangup.class);

    private final Telephony telephony;
    private final CallLookup lookup;

    Hangup(Ports ports, CallLookup lookup) {
        this.telephony = ports.telephony();
        this.lookup = lookup;
    }

    CallRecord hangup(String taskSid, Principal principal) {
        CallRecord call = principal.supervisor() ? lookup.liveCall(taskSid) : lookup.connectedCall(taskSid, principal, "hang up");
        if (!telephony.endConference(call.conferenceSid)) {
            throw CallControlException.conflict("call_ended", "the call has ended");
        }
        LOG.info("Call ended for everyone by {}", principal.supervisor() ? "a supervisor" : "the agent");
        return call;
    }
}
