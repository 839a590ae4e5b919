package dev.callcontrol.twilio;

import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.conference.Recording;
import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.config.Lazy;

import java.util.Optional;

/**
 * A conference's recordings over twilio-java: the Conference Recording resource
 * ({@code /2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Recordings}), listed to find
 * the recording still running and updated to pause or resume it
 * (https://www.twilio.com/docs/voice/api/recording#update-a-recording-resource). Part of
 * {@link TwilioTelephony}.
 */
final class TwilioRecordings {
    private final Lazy<TwilioRestClient> client;
    private final FaultPolicy faults;

    TwilioRecordings(Lazy<TwilioRestClient> client, FaultPolicy faults) {
        this.client = client;
        this.faults = faults;
    }

    /** The recording of the conference that is {@code in-progress} or {@code paused}, the newest if there are several. */
    Optional<Telephony.Recording> active(String conferenceSid) {
        return faults.run("listing the recordings of " + conferenceSid, FaultPolicy.Kind.READ, () -> {
            try {
                java.util.List<Recording> running = new java.util.ArrayList<>();
                Recording.reader(conferenceSid).read(client.get()).forEach(recording -> {
                    if (of(recording).active()) {
                        running.add(recording);
                    }
                });
                return running.stream().max(java.util.Comparator.comparing(Recording::getDateCreated,
                        java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))).map(TwilioRecordings::of);
            } catch (ApiException e) {
                if (TwilioTelephony.is404(e)) {
                    // A conference Twilio no longer has has no recording running.
                    return Optional.<Telephony.Recording>empty();
                }
                throw e;
            }
        });
    }

    /**
     * Pauses or resumes the recording. Twilio documents no answer for a recording that ended
     * meanwhile (a 404 or a 400 are both possible readings): either refusal is checked by listing the
     * conference's recordings again, and becomes a 409 {@code no_recording} when none is running.
     */
    Telephony.Recording update(String conferenceSid, String recordingSid, boolean paused, String pauseBehavior) {
        boolean[] refused = new boolean[1];
        Telephony.Recording updated = faults.run((paused ? "pausing" : "resuming") + " recording " + recordingSid, FaultPolicy.Kind.UPDATE, () -> {
            try {
                var update = Recording.updater(conferenceSid, recordingSid, paused ? Recording.Status.PAUSED : Recording.Status.IN_PROGRESS);
                if (paused) {
                    // PauseBehavior applies only to a pause (and Twilio's default is silence).
                    update.setPauseBehavior(pauseBehavior);
                }
                return of(update.update(client.get()));
            } catch (ApiException e) {
                if (e.getStatusCode() != null && (e.getStatusCode() == 404 || e.getStatusCode() == 400)) {
                    refused[0] = true;
                    return null;
                }
                throw e;
            }
        });
        if (!refused[0]) {
            return updated;
        }
        if (active(conferenceSid).filter(running -> running.sid().equals(recordingSid)).isEmpty()) {
            throw CallControlException.conflict("no_recording", "the call's recording has ended");
        }
        throw CallControlException.upstream("Twilio refused to " + (paused ? "pause" : "resume") + " the call's recording");
    }

    private static Telephony.Recording of(Recording recording) {
        return new Telephony.Recording(recording.getSid(), recording.getStatus() == null ? null : recording.getStatus().toString());
    }
}
