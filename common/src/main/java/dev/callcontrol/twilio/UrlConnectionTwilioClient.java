package dev.callcontrol.twilio;

import com.twilio.constant.EnumConstants;
import com.twilio.exception.ApiConnectionException;
import com.twilio.http.HttpClient;
import com.twilio.http.HttpMethod;
import com.twilio.http.HttpUtility;
import com.twilio.http.Request;
import com.twilio.http.Response;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.http.OutOfTime;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * twilio-java's transport over the JDK's {@link HttpURLConnection}, in place of its Apache client:
 * the AWS SDK's DynamoDB client already runs on this stack (its url-connection client), so Twilio's
 * first request adds few classes to a cold start instead of a second HTTP client's several hundred
 * (docs/performance.md). It sends twilio-java's requests as they are built: the URL with its
 * query, the method, the form or JSON body, the Authorization header, and the headers twilio-java's
 * own client sets when built from a builder ({@code X-Twilio-Client}, {@code Accept:
 * application/json}, {@code Accept-Encoding} and a User-Agent marked {@code custom}).
 * Connections are kept alive by the JDK between invocations.
 *
 * <p>With a base URL (the local simulator, a recording proxy), the request goes there with Twilio's
 * path and query; the host Twilio would have been asked travels in {@value #ORIGINAL_HOST_HEADER}, so
 * the receiver can tell api from taskrouter (twilio-java applies region and edge to the host, inside
 * {@link Request#constructURL()}).
 *
 * <p>Every request is sent once. twilio-java's client repeats a request answered with a 5xx,
 * creates included, and a 500 can come after a call was placed or a task made; this one does not
 * ({@code reliableRequest} is {@code makeRequest}). A body is streamed with its length fixed, so the
 * JDK never sends a POST twice on its own either (it re-sends a buffered one when a kept-alive
 * connection turns out closed). Whether anything is tried again is {@link FaultPolicy}'s decision.
 * An I/O failure is an {@link ApiConnectionException}.
 *
 * <p>Each attempt takes at most {@link Deadline#requestMillis} of the connect and read timeouts'
 * sum: both timeouts are cut to it, and when together they could still outlast it, the connection
 * is closed once it has passed. So an attempt never eats into the time the invocation keeps for
 * undoing and answering. With less than {@link Deadline#MIN_REQUEST_MILLIS} to spare nothing is sent
 * ({@link OutOfTime}).
 */
public final class UrlConnectionTwilioClient extends HttpClient {
    public static final String ORIGINAL_HOST_HEADER = "X-Twilio-Original-Host";
    /** Headers the JDK sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED_HEADERS = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "keep-alive", "te", "trailer", "via");
    private static final Set<HttpMethod> WITH_BODY = Set.of(HttpMethod.POST, HttpMethod.PUT);

    private final String baseUrl;
    private final int connectMillis;
    private final int readMillis;

    /** Twilio's own hosts. */
    public UrlConnectionTwilioClient(Duration connectTimeout, Duration readTimeout) {
        this(null, connectTimeout, readTimeout);
    }

    /** Every request to {@code baseUrl} (scheme, host and port, no path) instead of Twilio's hosts; null for Twilio's. */
    public UrlConnectionTwilioClient(String baseUrl, Duration connectTimeout, Duration readTimeout) {
        this.baseUrl = baseUrl == null ? null : baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.connectMillis = Math.toIntExact(connectTimeout.toMillis());
        this.readMillis = Math.toIntExact(readTimeout.toMillis());
    }

    /** Where {@code request} goes: Twilio's URL, or its path and query on the base URL. */
    URL target(Request request) throws IOException {
        return target(request.constructURL());
    }

    private URL target(URL twilio) throws IOException {
        return baseUrl == null ? twilio : URI.create(baseUrl + twilio.getFile()).toURL();
    }

    @Override
    public Response makeRequest(Request request) {
        HttpMethod method = request.getMethod();
        if (method == HttpMethod.PATCH) {
            // HttpURLConnection has no PATCH, and none of the Twilio APIs this product calls uses it.
            throw new IllegalArgumentException("PATCH is not supported by " + UrlConnectionTwilioClient.class.getSimpleName());
        }
        long budget = Deadline.requestMillis((long) connectMillis + readMillis);
        if (budget < Deadline.MIN_REQUEST_MILLIS) {
            throw OutOfTime.beforeSending("asking Twilio");
        }
        HttpURLConnection connection = null;
        AtomicBoolean cut = new AtomicBoolean();
        Thread watchdog = null;
        try {
            URL twilio = request.constructURL();
            connection = (HttpURLConnection) target(twilio).openConnection();
            int connectTimeout = (int) Math.min(connectMillis, budget);
            int readTimeout = (int) Math.min(readMillis, budget);
            connection.setConnectTimeout(connectTimeout);
            connection.setReadTimeout(readTimeout);
            if ((long) connectTimeout + readTimeout > budget) {
                watchdog = closeAfter(connection, budget, cut);
            }
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setRequestMethod(method.toString());
            connection.setRequestProperty("X-Twilio-Client", "java-" + com.twilio.Twilio.VERSION);
            connection.setRequestProperty("User-Agent", HttpUtility.getUserAgentString(request.getUserAgentExtensions(), true));
            connection.setRequestProperty("Accept", "application/json");
            connection.setRequestProperty("Accept-Encoding", "utf-8");
            if (baseUrl != null) {
                connection.setRequestProperty(ORIGINAL_HOST_HEADER, twilio.getHost());
            }
            if (request.requiresAuthentication()) {
                connection.setRequestProperty("Authorization", request.getAuthString());
            }
            HttpURLConnection headers = connection;
            request.getHeaderParams().forEach((name, values) -> {
                if (!RESTRICTED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(value -> headers.addRequestProperty(name, value));
                }
            });
            if (WITH_BODY.contains(method)) {
                send(connection, request);
            }
            int status = connection.getResponseCode();
            InputStream answer = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            String body;
            if (answer == null && status >= 400) {
                // A 401 to a streamed body: the JDK keeps the status but drops the body (it could only
                // send the body again with credentials it does not have). twilio-java reads an error's
                // status from an error document; this one says only what is known.
                body = "{\"status\":" + status + ",\"message\":\"HTTP " + status + " (its body was not received)\"}";
            } else {
                body = new String(read(answer), StandardCharsets.UTF_8);
            }
            return new Response(body, status, responseHeaders(connection));
        } catch (IOException | RuntimeException e) {
            if (connection != null) {
                connection.disconnect();
            }
            if (cut.get()) {
                // Closed from the watchdog: whatever the reading thread tripped over, the attempt ran out of time.
                throw new ApiConnectionException("Twilio request " + method + " " + request.getUrl() + " got no answer within the "
                        + budget + " ms the invocation could spare", e);
            }
            if (e instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            throw new ApiConnectionException("Twilio request " + method + " " + request.getUrl() + " failed: " + e.getMessage(), e);
        } finally {
            if (watchdog != null) {
                watchdog.interrupt();
            }
        }
    }

    /** Closes the connection once {@code millis} have passed, unless interrupted first (the attempt ended). */
    private static Thread closeAfter(HttpURLConnection connection, long millis, AtomicBoolean cut) {
        return Thread.ofVirtual().name("twilio-attempt-deadline").start(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException ended) {
                return;
            }
            cut.set(true);
            connection.disconnect();
        });
    }

    /** Once: twilio-java's own retry of 5xx answers would repeat creates too; {@link FaultPolicy} decides. */
    @Override
    public Response reliableRequest(Request request) {
        return makeRequest(request);
    }

    @Override
    public Response reliableRequest(Request request, int[] retryCodes, int retries, long delayMillis) {
        return makeRequest(request);
    }

    private static void send(HttpURLConnection connection, Request request) throws IOException {
        EnumConstants.ContentType type = request.getContentType();
        if (type == EnumConstants.ContentType.MULTIPART_FORM_DATA) {
            throw new IllegalArgumentException("multipart bodies are not supported by " + UrlConnectionTwilioClient.class.getSimpleName());
        }
        boolean json = type == EnumConstants.ContentType.JSON;
        String text = json ? request.getBody() : request.encodeFormBody();
        byte[] body = (text == null ? "" : text).getBytes(StandardCharsets.UTF_8);
        connection.setRequestProperty("Content-Type", json ? "application/json" : "application/x-www-form-urlencoded");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(body.length);
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body);
        }
    }

    /** The whole answer, read to its end and closed so that the connection can be kept alive; empty when there is none. */
    private static byte[] read(InputStream in) throws IOException {
        if (in == null) {
            return new byte[0];
        }
        try (in) {
            return in.readAllBytes();
        }
    }

    private static Header[] responseHeaders(HttpURLConnection connection) {
        List<Header> headers = new ArrayList<>();
        connection.getHeaderFields().forEach((name, values) -> {
            if (name != null) { // the status line
                values.forEach(value -> headers.add(new BasicHeader(name, value)));
            }
        });
        return headers.toArray(Header[]::new);
    }
}
