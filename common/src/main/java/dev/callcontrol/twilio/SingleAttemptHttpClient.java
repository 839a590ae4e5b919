package dev.callcontrol.twilio;

import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import com.twilio.http.HttpClient;
import com.twilio.http.Request;
import com.twilio.http.Response;

import java.io.IOException;

/**
 * Sends each Twilio request exactly once. twilio-java's own {@link HttpClient#reliableRequest}
 * repeats any request answered with a 5xx, creates included, and a 500 can come after a call was
 * placed or a task made; whether to try again is {@link FaultPolicy}'s decision alone. A request
 * that got no answer is reported as an {@link ApiConnectionException} whichever client sent it.
 */
final class SingleAttemptHttpClient extends HttpClient {
    private final HttpClient network;

    SingleAttemptHttpClient(HttpClient network) {
        this.network = network;
    }

    @Override
    public Response makeRequest(Request request) {
        try {
            return network.makeRequest(request);
        } catch (ApiException e) {
            // twilio-java's own NetworkHttpClient reports a lost connection or a timeout as an ApiException wrapping the IOException.
            if (e.getStatusCode() == null && e.getCause() instanceof IOException) {
                throw new ApiConnectionException("Twilio did not answer: " + e.getMessage(), e.getCause());
            }
            throw e;
        }
    }

    @Override
    public Response reliableRequest(Request request) {
        return makeRequest(request);
    }

    @Override
    public Response reliableRequest(Request request, int[] retryCodes, int retries, long delayMillis) {
        return makeRequest(request);
    }
}
