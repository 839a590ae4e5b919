package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pausing and resuming the conference's recording (a card number read aloud must not be kept), through
 * Twilio's Conference Recording resource: the recording still running is listed, then updated to
 * {@code paused} (with the configured {@code PauseBehavior}) or {@code in-progress}.
 *
 * <p>The record keeps what is wanted, Twilio keeps what is: the agent's pause ({@code pausedByAgent})
 * and, with {@code PAUSE_RECORDING_ON_HOLD}, the customer's hold ask for a pause; an agent who resumes
 * during a hold records the rest of that hold ({@code recordedHold}). Every change is made by
 * {@link #converge}: read the record, bring Twilio's recording to what it wants, read again, until
 * the two agree; so a hold and an agent's command racing each other end as the last record says.
 * Holds and resumes reach it from the conference's events ({@link ConferencePolicy}), whoever
 * caused them (the agent, the watchdog, the reconciler, a transfer target joining), and from the
 * agent's own hold command at once; a follow-up that fails is left to the reconciler
 * ({@link CallRecord#EFFECT_SYNC_RECORDING}).
 */
final class Recordings {
    private static final Logger LOG = LoggerFactory.getLogger(Recordings.class);
    /** The record's status for a call with no recording running. */
    static final String NONE = "none";
    /** Rounds of {@link #converge} before it gives up on a record that keeps changing (the next event or the reconciler goes on). */
    private static final int ROUNDS = 3;

    private final Ports ports;
    private final CallLookup lookup;

    Recordings(Ports ports, CallLookup lookup) {
        this.ports = ports;
        this.lookup = lookup;
    }

    /**
     * The connected agent pauses or resumes the recording. Doing it twice is harmless: the recording
     * already so is not updated again. 409 {@code no_recording} when the call has no recording running.
     */
    CallRecord change(String taskSid, Principal principal, boolean pause) {
        CallRecord call = lookup.connectedCall(taskSid, principal, (pause ? "pause" : "resume") + " the recording of");
        Telephony.Recording running = ports.telephony().activeRecording(call.conferenceSid).orElse(null);
        if (running == null) {
            remember(call, null);
            throw CallControlException.conflict("no_recording", "the call has no recording in progress");
        }
        CallRecord wanted = ports.records().update(call.taskSid, () -> call, record -> {
            CallRecord.Recording recording = recordingOf(record);
            CallRecord.Leg customer = record.customer();
            String hold = !pause && customer != null && customer.hold ? customer.heldSince : null;
            if (recording.pausedByAgent == pause && java.util.Objects.equals(recording.recordedHold, hold)) {
                return false;
            }
            recording.pausedByAgent = pause;
            recording.recordedHold = hold;
            return true;
        }).orElse(call);
        CallRecord done = converge(wanted, running);
        LOG.info(pause ? "Recording paused by the agent" : "Recording resumed by the agent");
        return done;
    }

    /**
     * After the customer's hold changed: pauses or resumes the recording when the record wants it
     * otherwise than it was last seen. Sends nothing when it already agrees (and nothing at all
     * without {@code PAUSE_RECORDING_ON_HOLD} or an agent's pause). A failure is kept for the reconciler.
     */
    void follow(CallRecord record) {
        if (!needsChange(record)) {
            return;
        }
        if (!FollowUps.attempt("bringing the recording to what the call wants", () -> converge(record, null))) {
            Effects.pending(ports.records(), record, CallRecord.EFFECT_SYNC_RECORDING);
        }
    }

    /** Whether the recording, as last seen, is not what the record wants of it. */
    boolean needsChange(CallRecord record) {
        if (record.ended() || record.conferenceSid == null) {
            return false;
        }
        CallRecord.Recording recording = record.recording;
        if (recording != null && NONE.equals(recording.status)) {
            return false;
        }
        boolean paused = recording != null && "paused".equals(recording.status);
        return wantsPaused(record) != paused;
    }

    /** Whether the record wants the recording paused: the agent paused it, or the customer is held (pause-on-hold) and the agent did not resume it for this hold. */
    boolean wantsPaused(CallRecord record) {
        CallRecord.Recording recording = record.recording;
        if (recording != null && recording.pausedByAgent) {
            return true;
        }
        if (!ports.settings().recording().pauseOnHold()) {
            return false;
        }
        CallRecord.Leg customer = record.customer();
        boolean held = customer != null && customer.present && customer.hold;
        return held && !(recording != null && recording.recordedHold != null && recording.recordedHold.equals(customer.heldSince));
    }

    /**
     * Brings Twilio's recording to what the record wants, reading the record again after each
     * update until they agree: the record as last written. {@code running} is the recording just
     * listed, or null to list it.
     */
    CallRecord converge(CallRecord record, Telephony.Recording running) {
        Telephony telephony = ports.telephony();
        CallRecord latest = record;
        Telephony.Recording current = running;
        for (int round = 0; round < ROUNDS; round++) {
            if (current == null) {
                current = telephony.activeRecording(latest.conferenceSid).orElse(null);
                if (current == null) {
                    return remember(latest, null);
                }
            }
            boolean paused = wantsPaused(latest);
            if (current.paused() != paused) {
                current = telephony.updateRecording(latest.conferenceSid, current.sid(), paused, ports.settings().recording().pauseBehavior());
            }
            latest = remember(latest, current);
            if (latest.ended() || !current.active() || wantsPaused(latest) == current.paused()) {
                return latest;
            }
        }
        LOG.warn("The call's record kept changing while its recording was brought in line; the next change or the reconciler goes on");
        return latest;
    }

    /** Writes what Twilio said of the recording ({@code null}: none running) into the record; answers the record as it is now. */
    private CallRecord remember(CallRecord call, Telephony.Recording seen) {
        String status = seen == null || !seen.active() ? NONE : seen.status();
        String sid = seen == null ? null : seen.sid();
        String now = ports.clock().instant().toString();
        return ports.records().update(call.taskSid, () -> call, record -> {
            CallRecord.Recording recording = recordingOf(record);
            if (status.equals(recording.status) && java.util.Objects.equals(sid, recording.sid)) {
                return false;
            }
            recording.status = status;
            recording.sid = sid;
            recording.updatedAt = now;
            return true;
        }).orElse(call);
    }

    private static CallRecord.Recording recordingOf(CallRecord record) {
        if (record.recording == null) {
            record.recording = new CallRecord.Recording();
        }
        return record.recording;
    }
}
