package dev.callcontrol.twilio;

import com.twilio.http.HttpClient;
import com.twilio.http.HttpMethod;
import com.twilio.http.Request;
import com.twilio.http.Response;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A Twilio transport that answers every request from memory, for SnapStart priming: the request
 * is built and converted exactly as for the network (up to the socket), and the answer is shaped
 * like Twilio's (a resource, a page of them, 201 for a create, 204 for a delete), so the resource's
 * deserialiser runs. Never used to serve a real request.
 */
final class CannedTwilio extends HttpClient {
    /** The last segment of a collection's path: a name, where a resource's is a SID. */
    private static final Pattern COLLECTION = Pattern.compile("^[A-Z][A-Za-z]+(\\.json)?$");
    private static final Pattern WORD = Pattern.compile("(?<=[a-z])(?=[A-Z])");
    private static final String RESOURCE = "{\"sid\":\"PR00000000000000000000000000000000\",\"account_sid\":\"AC00000000000000000000000000000000\","
            + "\"call_sid\":\"CA00000000000000000000000000000000\",\"conference_sid\":\"CF00000000000000000000000000000000\","
            + "\"worker_sid\":\"WK00000000000000000000000000000000\",\"task_sid\":\"WT00000000000000000000000000000000\","
            + "\"friendly_name\":\"priming\",\"label\":\"priming\",\"status\":\"in-progress\",\"assignment_status\":\"assigned\","
            + "\"reservation_status\":\"accepted\",\"attributes\":\"{\\\"contact_uri\\\":\\\"client:priming\\\"}\",\"hold\":false,"
            + "\"muted\":false,\"coaching\":false,\"to\":\"+15005550006\",\"from\":\"+15005550006\",\"priority\":0,"
            + "\"date_created\":\"Tue, 24 Nov 2026 00:00:00 +0000\",\"date_updated\":\"Tue, 24 Nov 2026 00:00:00 +0000\"}";

    @Override
    public Response makeRequest(Request request) {
        createHttpUriRequestBase(request);
        String path = request.constructURL().getPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        boolean collection = COLLECTION.matcher(last).matches();
        if (request.getMethod() == HttpMethod.DELETE) {
            return new Response("", 204);
        }
        if (request.getMethod() == HttpMethod.POST) {
            return new Response(RESOURCE, collection ? 201 : 200);
        }
        if (!collection) {
            return new Response(RESOURCE, 200);
        }
        String key = WORD.matcher(last.replace(".json", "")).replaceAll("_").toLowerCase(Locale.ROOT);
        return new Response("{\"" + key + "\":[" + RESOURCE + "],\"meta\":{\"key\":\"" + key + "\",\"page\":0,\"page_size\":50,"
                + "\"first_page_url\":null,\"previous_page_url\":null,\"next_page_url\":null,\"url\":null}}", 200);
    }
}
