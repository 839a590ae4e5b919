package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl.Mode;
import dev.callcontrol.calls.CallControl.SupervisorJoin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Supervisor monitor, whisper and barge: the supervisor's {@code contact_uri} is dialled, and their
 * answered leg joins the conference muted (monitor), coaching the agent (whisper) or open (barge).
 * Switching mode is one participant update; the supervisor leaving, or never answering, changes
 * nothing for the customer and the agent.
 */
final class Supervision {
    private static final Logger LOG = LoggerFactory.getLogger(Supervision.class);

    private final Ports ports;
    private final CallLookup lookup;
    private final TransferTargets targets;

    Supervision(Ports ports, CallLookup lookup, TransferTargets targets) {
        this.ports = ports;
        this.lookup = lookup;
        this.targets = targets;
    }

    /**
     * Joins the calling supervisor in a mode, or switches the mode of a supervisor already on the
     * call. Joining dials the supervisor's {@code contact_uri} (one request; the worker is read from
     * a per-container cache); switching updates their participant (one request).
     */
    CallRecord supervise(String taskSid, Principal principal, Mode mode) {
        CallRecords records = ports.records();
        Telephony telephony = ports.telephony();
        CallControl.Settings settings = ports.settings();
        requireSupervisor(principal);
        CallRecord call = lookup.liveCall(taskSid);
        CallRecord.Supervision current = call.supervisor;
        if (current != null && !current.workerSid.equals(principal.workerSid())) {
            throw CallControlException.conflict("already_supervised", "another supervisor is on this call");
        }
        CallRecord.Leg agent = call.agent();
        if (mode == Mode.WHISPER && agent == null) {
            throw CallControlException.conflict("no_agent", "there is no agent on the call to whisper to");
        }
        if (current != null && mode.label().equals(current.mode)) {
            return call;
        }
        if (current != null && "joined".equals(current.state)) {
            String coached = mode.coaching ? agent.callSid : null;
            telephony.updateParticipant(call.conferenceSid, current.callSid, mode.muted, mode.coaching, coached);
            LOG.info("Supervisor switched to {}", mode.label());
            return setMode(call, mode, current.callSid, coached);
        }
        if (current != null) {
            // Still ringing: the leg's TwiML reads the mode when the supervisor answers.
            return setMode(call, mode, null, null);
        }
        Telephony.Worker worker = telephony.worker(principal.workerSid())
                .orElseThrow(() -> CallControlException.forbidden("the workspace has no worker " + principal.workerSid()));
        if (worker.contactUri() == null) {
            throw CallControlException.conflict("no_contact_uri", "worker " + principal.workerSid() + " has no contact_uri to ring");
        }
        // Toll-fraud guard: whoever can edit worker attributes can point a contact_uri anywhere.
        settings.destinations().contactUriRefusal(worker.contactUri()).ifPresent(reason -> {
            throw CallControlException.conflict("invalid_contact_uri", "worker " + principal.workerSid() + " has a contact_uri the product will not ring: " + reason);
        });
        targets.requireDialQuota(principal);
        boolean[] taken = new boolean[1];
        records.update(call.taskSid, () -> call, record -> {
            taken[0] = record.supervisor != null || record.ended();
            if (taken[0]) {
                return false;
            }
            record.supervisor = new CallRecord.Supervision();
            record.supervisor.workerSid = principal.workerSid();
            record.supervisor.mode = mode.label();
            record.supervisor.state = "dialing";
            return true;
        });
        if (taken[0]) {
            throw CallControlException.conflict("already_supervised", "a supervisor is already joining this call, or it ended");
        }
        String query = "?call=" + call.taskSid + "&supervisor=" + principal.workerSid();
        String legSid;
        try {
            legSid = telephony.dial(settings.callerId(), worker.contactUri(), ports.callbackUrl(CallControl.SUPERVISOR_LEG_PATH + query),
                    ports.callbackUrl(CallControl.CALL_EVENTS_PATH + query), settings.ringTimeoutSeconds());
        } catch (RuntimeException e) {
            clear(call.taskSid, principal.workerSid(), null);
            throw e;
        }
        LOG.info("Dialling the supervisor to {}", mode.label());
        return records.update(call.taskSid, () -> call, record -> {
            if (record.supervisor == null || !principal.workerSid().equals(record.supervisor.workerSid) || record.supervisor.callSid != null) {
                return false;
            }
            record.supervisor.callSid = legSid;
            return true;
        }).orElse(call);
    }

    /**
     * Takes the calling supervisor off the call (or stops their phone ringing). Nothing changes for
     * the others. A supervisor ends only their own session (403 {@code not_your_session}; issue 19,
     * finding 8): whose session it is is checked inside a conditional write of the record, so the
     * session Twilio is then asked to end is the one that was the caller's when the write succeeded
     * (another supervisor's join or leave in between makes the write fail, and the check runs again
     * on the record as it is then). With nobody supervising, leaving changes nothing.
     */
    CallRecord stop(String taskSid, Principal principal) {
        requireSupervisor(principal);
        CallRecord call = lookup.anyCall(taskSid);
        CallRecord.Supervision[] mine = new CallRecord.Supervision[1];
        boolean[] another = new boolean[1];
        // The write changes nothing but the record's version: it succeeds only if the session read is still there.
        CallRecord checked = ports.records().update(call.taskSid, () -> call, record -> {
            CallRecord.Supervision current = record.supervisor;
            mine[0] = current != null && principal.workerSid().equals(current.workerSid) ? current : null;
            another[0] = current != null && mine[0] == null;
            return mine[0] != null;
        }).orElse(call);
        if (another[0]) {
            throw new CallControlException(403, "not_your_session", "another supervisor is on this call; only they can leave it");
        }
        CallRecord.Supervision session = mine[0];
        if (session == null) {
            return checked;
        }
        if (session.callSid != null) {
            if ("joined".equals(session.state)) {
                ports.telephony().removeParticipant(checked.conferenceSid, session.callSid);
            } else {
                ports.telephony().endCall(session.callSid);
            }
        }
        LOG.info("Supervisor left the call");
        return clear(checked.taskSid, session.workerSid, session.callSid).orElse(checked);
    }

    /**
     * How a supervisor's answered leg should join, or empty when it should not (the call ended,
     * or the supervisor was taken off while their phone rang).
     */
    Optional<SupervisorJoin> join(String callTaskSid, String workerSid) {
        CallRecord call = ports.records().find(callTaskSid).orElse(null);
        if (call == null || call.ended() || call.conferenceSid == null || call.supervisor == null || !workerSid.equals(call.supervisor.workerSid)) {
            return Optional.empty();
        }
        Mode mode = Mode.of(call.supervisor.mode);
        CallRecord.Leg agent = call.agent();
        if (mode == Mode.WHISPER && agent == null) {
            mode = Mode.MONITOR;
        }
        return Optional.of(new SupervisorJoin(mode, mode == Mode.WHISPER ? agent.callSid : null));
    }

    /** A supervisor's leg ended before joining (declined, unanswered, failed): they are no longer on the call. */
    void onLegEnded(String callTaskSid, String workerSid, String callSid, String callStatus) {
        CallRecord call = ports.records().find(callTaskSid).orElse(null);
        if (call == null || call.supervisor == null || !workerSid.equals(call.supervisor.workerSid) || "joined".equals(call.supervisor.state)) {
            return;
        }
        LOG.info("Supervisor's leg ended {} before joining", callStatus);
        clear(call.taskSid, workerSid, callSid);
    }

    private static void requireSupervisor(Principal principal) {
        if (!principal.supervisor()) {
            throw CallControlException.forbidden("only supervisors may monitor, whisper or barge");
        }
    }

    /**
     * Records the supervisor's new mode and, once their leg is in the conference, its mute and
     * coaching state: Twilio reports a coaching change only with {@code modify}, an event the
     * {@code conference} instruction cannot ask for, so the product writes what it has just asked.
     */
    private CallRecord setMode(CallRecord call, Mode mode, String legCallSid, String coachedCallSid) {
        return ports.records().update(call.taskSid, () -> call, record -> {
            if (record.supervisor == null || mode.label().equals(record.supervisor.mode)) {
                return false;
            }
            record.supervisor.mode = mode.label();
            CallRecord.Leg leg = legCallSid == null ? null : record.legs.get(legCallSid);
            if (leg != null && leg.present) {
                leg.muted = mode.muted;
                leg.coaching = mode.coaching;
                leg.coachedCallSid = coachedCallSid;
            }
            return true;
        }).orElse(call);
    }

    /** Forgets the supervisor, if it is still the one meant (same worker, and same leg when one is named). */
    private Optional<CallRecord> clear(String callTaskSid, String workerSid, String callSid) {
        return ports.records().update(callTaskSid, () -> new CallRecord(callTaskSid), record -> {
            CallRecord.Supervision current = record.supervisor;
            if (current == null || !workerSid.equals(current.workerSid) || (callSid != null && current.callSid != null && !callSid.equals(current.callSid))) {
                return false;
            }
            record.supervisor = null;
            return true;
        });
    }
}
