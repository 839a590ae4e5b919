package dev.callcontrol.twilio;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import com.twilio.http.HttpMethod;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.conference.Participant;
import com.twilio.rest.taskrouter.v1.workspace.Task;
import com.twilio.rest.taskrouter.v1.workspace.task.Reservation;
import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;

import java.net.URI;
import java.util.Optional;

/** {@link Telephony} over twilio-java. Twilio's failures become typed call-control errors, never stack traces. */
public final class TwilioTelephony implements Telephony {
    private final TwilioRestClient client;
    private final String workspaceSid;

    public TwilioTelephony(TwilioRestClient client, String workspaceSid) {
        this.client = client;
        this.workspaceSid = workspaceSid;
    }

    @Override
    public Optional<TaskContext> task(String taskSid) {
        Task task;
        try {
            task = Task.fetcher(workspaceSid, taskSid).fetch(client);
        } catch (ApiException e) {
            if (e.getStatusCode() != null && e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw failure("fetching task " + taskSid, e);
        } catch (ApiConnectionException e) {
            throw CallControlException.upstream("Twilio did not answer while fetching task " + taskSid);
        }
        JsonNode attributes;
        try {
            attributes = Json.parse(task.getAttributes(), "task attributes");
        } catch (HttpError e) {
            attributes = Json.MAPPER.createObjectNode();
        }
        String customer = attributes.path("conference").path("participants").path("customer").asText(null);
        if (customer == null) {
            customer = attributes.path("call_sid").asText(null);
        }
        String worker = null;
        try {
            for (Reservation reservation : Reservation.reader(workspaceSid, taskSid).setReservationStatus(Reservation.Status.ACCEPTED).read(client)) {
                worker = reservation.getWorkerSid();
                break;
            }
        } catch (ApiException e) {
            throw failure("listing the reservations of task " + taskSid, e);
        } catch (ApiConnectionException e) {
            throw CallControlException.upstream("Twilio did not answer while listing the reservations of task " + taskSid);
        }
        return Optional.of(new TaskContext(taskSid, task.getAssignmentStatus() == null ? null : task.getAssignmentStatus().toString(), customer, worker));
    }

    @Override
    public void hold(String conferenceSid, String callSid, boolean hold, String holdUrl) {
        try {
            var update = Participant.updater(conferenceSid, callSid).setHold(hold);
            if (hold) {
                // HoldMethod defaults to GET; it is set anyway so the hold-music route's signature check sees what Twilio signs.
                update.setHoldUrl(URI.create(holdUrl)).setHoldMethod(HttpMethod.GET);
            }
            update.update(client);
        } catch (ApiException e) {
            if (e.getStatusCode() != null && e.getStatusCode() == 404) {
                throw CallControlException.conflict("call_ended", "the customer has already left the call");
            }
            throw failure((hold ? "holding " : "resuming ") + callSid, e);
        } catch (ApiConnectionException e) {
            throw CallControlException.upstream("Twilio did not answer while " + (hold ? "holding " : "resuming ") + "the customer");
        }
    }

    private static CallControlException failure(String action, ApiException e) {
        Integer status = e.getStatusCode();
        if (status != null && status >= 400 && status < 500 && status != 429) {
            return CallControlException.conflict("twilio_refused", "Twilio refused " + action + ": " + e.getCode() + " " + e.getMessage());
        }
        return CallControlException.upstream("Twilio failed " + action + " (" + status + ")");
    }
}
