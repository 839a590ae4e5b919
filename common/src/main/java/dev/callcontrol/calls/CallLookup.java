package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.logging.CallLog;

/**
 * Looking up the call a command is about, and who may act on it: every command of an agent or a
 * supervisor starts here, so each refusal (404, 403, 409) is worded once.
 */
final class CallLookup {
    private final CallRecords records;
    private final Telephony telephony;

    CallLookup(Ports ports) {
        this.records = ports.records();
        this.telephony = ports.telephony();
    }

    /**
     * The call an agent may act on: it exists, has a conference, has not ended, and the caller is
     * the agent connected to it.
     */
    CallRecord connectedCall(String taskSid, Principal principal, String action) {
        CallRecord call = withConference(taskSid);
        if (!principal.workerSid().equals(call.workerSid)) {
            throw CallControlException.forbidden("only the agent connected to this call may " + action + " it");
        }
        requireNotEnded(call);
        if (call.agent() == null) {
            throw CallControlException.forbidden("you are no longer connected to this call, so you cannot " + action + " it");
        }
        return call;
    }

    /**
     * The call an agent may transfer, cold or warm: connected to them, the customer in the
     * conference (409 otherwise), and no transfer under way (409).
     */
    CallRecord transferableCall(String taskSid, Principal principal) {
        CallRecord call = connectedCall(taskSid, principal, "transfer");
        presentCustomer(call);
        if (TransferTargets.transferPending(call)) {
            throw CallControlException.conflict("transfer_in_progress", "a transfer of this call is already under way");
        }
        if (Parties.any(call)) {
            throw CallControlException.conflict("parties_on_call", "parties added to this call are on it or on their way: remove them first");
        }
        return call;
    }

    /** A call that exists, has a conference and has not ended; for supervisors, who need not be on it. */
    CallRecord liveCall(String taskSid) {
        CallRecord call = withConference(taskSid);
        requireNotEnded(call);
        return call;
    }

    /** The call's record, whatever its state: a 404 when there is none. */
    CallRecord anyCall(String taskSid) {
        return records.find(taskSid).orElseThrow(() -> CallControlException.notFound("no call for task " + taskSid));
    }

    /** The call's record once it has a conference: 404 for a task TaskRouter does not know, 409 before the conference. */
    private CallRecord withConference(String taskSid) {
        CallRecord call = records.find(taskSid).orElse(null);
        if (call == null || call.conferenceSid == null) {
            telephony.task(taskSid).orElseThrow(() -> CallControlException.notFound("no task " + taskSid));
            throw CallControlException.conflict("no_conference", "the call has no conference yet");
        }
        CallLog.put(CallLog.CONFERENCE_SID, call.conferenceSid);
        return call;
    }

    private static void requireNotEnded(CallRecord call) {
        if (call.ended()) {
            throw CallControlException.conflict("call_ended", "the call has ended");
        }
    }

    /** The customer's leg, in the conference: a 409 when they are not. */
    static CallRecord.Leg presentCustomer(CallRecord call) {
        CallRecord.Leg customer = call.customer();
        if (customer == null || !customer.present) {
            throw CallControlException.conflict("no_customer", "the customer is not in the conference");
        }
        return customer;
    }
}
