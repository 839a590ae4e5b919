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
    private final CallRecords records;
    private final CallLookup lookup;

    Hangup(Ports ports, CallLookup lookup) {
        this.telephony = ports.telephony();
        this.records = ports.records();
        this.lookup = lookup;
    }

    CallRecord hangup(String taskSid, Principal principal) {
        CallRecord call = principal.supervisor() ? lookup.liveCall(taskSid) : lookup.connectedCall(taskSid, principal, "hang up");
        // Who ends it, claimed before the conference ends: its conference-end only says the API did (the task reports read it).
        String by = principal.supervisor() && !principal.workerSid().equals(call.workerSid) ? CallReports.SUPERVISOR : CallReports.AGENT;
        // A failed write leaves only the report without its hang-up party: the call is ended all the same.
        FollowUps.quietly("recording who ended the call", () -> records.update(call.taskSid, () -> call, r -> {
            boolean unclaimed = r.endedBy == null && !r.ended();
            CallReports.endedBy(r, by);
            return unclaimed;
        }));
        if (!telephony.endConference(call.conferenceSid)) {
            throw CallControlException.conflict("call_ended", "the call has ended");
        }
        LOG.info("Call ended for everyone by {}", principal.supervisor() ? "a supervisor" : "the agent");
        return call;
    }
}
