package dev.callcontrol.local.sim;

import dev.callcontrol.twilio.SignatureVerifier;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Everything the simulator sends to the product (status callbacks, the assignment callback, TwiML
 * fetches) and every deferred step of its own, run in order on one delivery thread. An HTTP
 * request is made without the simulator's lock, because the product answers it by calling the
 * simulator's REST API; what follows from the answer runs under the lock. Requests are signed as
 * Twilio signs them: {@code X-Twilio-Signature} over the URL and the sorted POST parameters.
 *
 * <p>Each delivery is retried only as Twilio documents: by default once, when the connection could
 * not be made, and otherwise as the URL's connection overrides ask ({@link ConnectionOverrides}).
 * The overrides ride in the URL's fragment, which never goes on the wire. Faults between Twilio and
 * the product ({@link WebhookFaults}) can refuse, time out or answer an attempt, and every delivery
 * with its attempts is kept for {@code GET /sim/webhooks}.
 */
final class Outbox implements AutoCloseable {
    /** Which Twilio product makes the request: connection overrides are documented for Voice. */
    enum Sender {
        VOICE, TASKROUTER
    }

    /** An answer from the product, or why there was none, after {@code attempts} tries. */
    record Response(int status, String contentType, String body, String failure, int attempts) {
        Response(int status, String contentType, String body, String failure) {
            this(status, contentType, body, failure, 1);
        }

        boolean ok() {
            return failure == null && status >= 200 && status < 300;
        }

        String describe() {
            String what = failure != null ? failure : "HTTP " + status;
            return attempts > 1 ? what + " (after " + attempts + " attempts)" : what;
        }
    }

    /** A request to the product, or (with no url) a step to run later under the lock. */
    record Job(String what, Sender sender, String method, String url, Map<String, String> parameters, Duration timeout,
               Consumer<Response> then, boolean replayable) {
    }

    /** One attempt: its answer, the failure class if it failed ({@code 4xx}, {@code 5xx}, {@code ct}, {@code rt}), and time it stood for without taking it. */
    private record Attempt(Response response, String failure, long simulatedMillis, Map<String, Object> log) {
    }

    private static final int KEPT_FOR_REPLAY = 50;
    private static final int KEPT_IN_LOG = 200;

    private final SimWorld world;
    private final String authToken;
    /** One client per connect timeout: the JDK sets it per client. Used by the delivery thread only. */
    private final Map<Integer, HttpClient> clients = new HashMap<>();
    private final WebhookFaults faults = new WebhookFaults();
    private final Deque<Job> queue = new ArrayDeque<>();
    /** Status callbacks already delivered, newest last, for {@link #replay}. */
    private final Deque<Job> delivered = new ArrayDeque<>();
    /** Every delivery with its attempts, newest last, for {@code GET /sim/webhooks}. */
    private final Deque<Map<String, Object>> log = new ArrayDeque<>();
    private final Thread thread;
    private int inFlight;
    private boolean closed;

    Outbox(SimWorld world, String authToken) {
        this.world = world;
        this.authToken = authToken;
        this.thread = Thread.ofPlatform().daemon().name("simulator-outbox").start(this::run);
    }

    /** Sends a Voice request to the product (a TwiML fetch); {@code then} sees its answer under the lock. */
    void send(String what, String method, String url, Map<String, String> parameters, Duration timeout, Consumer<Response> then) {
        send(Sender.VOICE, what, method, url, parameters, timeout, then);
    }

    /** Sends a request to the product on behalf of {@code sender}; {@code then} sees its answer under the lock. */
    synchronized void send(Sender sender, String what, String method, String url, Map<String, String> parameters, Duration timeout, Consumer<Response> then) {
        queue.add(new Job(what, sender, method, url, new LinkedHashMap<>(parameters), timeout, then, false));
        notifyAll();
    }

    /**
     * Sends a Voice status callback (conference or call event): like {@link #send}, and kept so
     * that {@link #replay} can deliver it again.
     */
    void sendEvent(String what, String method, String url, Map<String, String> parameters, Duration timeout, Consumer<Response> then) {
        sendEvent(Sender.VOICE, what, method, url, parameters, timeout, then);
    }

    /** Sends a status callback on behalf of {@code sender}, kept for {@link #replay}. */
    synchronized void sendEvent(Sender sender, String what, String method, String url, Map<String, String> parameters, Duration timeout, Consumer<Response> then) {
        queue.add(new Job(what, sender, method, url, new LinkedHashMap<>(parameters), timeout, then, true));
        notifyAll();
    }

    /**
     * Delivers the last {@code count} status callbacks again, newest first: duplicates that arrive
     * out of order. Their answers change nothing in the simulator. Answers how many were queued.
     */
    synchronized int replay(int count) {
        List<Job> last = new ArrayList<>(delivered);
        int from = Math.max(0, last.size() - count);
        List<Job> chosen = new ArrayList<>(last.subList(from, last.size()));
        java.util.Collections.reverse(chosen);
        chosen.forEach(job -> queue.add(new Job("replayed " + job.what(), job.sender(), job.method(), job.url(), job.parameters(), job.timeout(), response -> { }, false)));
        notifyAll();
        return chosen.size();
    }

    /** Runs {@code step} under the lock after what is already queued: how Twilio's asynchronous work is ordered. */
    synchronized void later(String what, Runnable step) {
        queue.add(new Job(what, Sender.VOICE, null, null, Map.of(), null, response -> step.run(), false));
        notifyAll();
    }

    /** The faults injected between Twilio and the product. */
    WebhookFaults faults() {
        return faults;
    }

    /** The deliveries made, oldest first, each with its attempts. */
    synchronized List<Map<String, Object>> deliveries() {
        return List.copyOf(log);
    }

    synchronized void clearDeliveries() {
        log.clear();
    }

    /** Waits until nothing is queued or being delivered; false if that did not happen in time. */
    synchronized boolean awaitIdle(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!queue.isEmpty() || inFlight > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    synchronized int pending() {
        return queue.size() + inFlight;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            queue.clear();
            notifyAll();
        }
        thread.interrupt();
    }

    private void run() {
        while (true) {
            Job job;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        if (closed) {
                            return;
                        }
                    }
                }
                if (closed) {
                    return;
                }
                job = queue.poll();
                inFlight++;
            }
            try {
                Response response = job.url() == null ? null : deliver(job);
                if (job.replayable()) {
                    synchronized (this) {
                        delivered.add(job);
                        while (delivered.size() > KEPT_FOR_REPLAY) {
                            delivered.poll();
                        }
                    }
                }
                synchronized (world) {
                    job.then().accept(response);
                }
            } catch (RuntimeException e) {
                world.alert(11200, job.what() + " failed in the simulator: " + e);
            } finally {
                synchronized (this) {
                    inFlight--;
                    notifyAll();
                }
            }
        }
    }

    /** The overrides Twilio applies to this job's URL. */
    private ConnectionOverrides overrides(Job job, String fragment) {
        if (fragment == null) {
            return ConnectionOverrides.DEFAULTS;
        }
        if (job.sender() == Sender.TASKROUTER && world.rules.is("webhooks.connection-overrides.taskrouter", "ignored")) {
            return ConnectionOverrides.DEFAULTS;
        }
        return ConnectionOverrides.parse(fragment);
    }

    private Response deliver(Job job) {
        // [rule webhooks.connection-overrides] The fragment carries the overrides; HTTP never sends a fragment.
        String configured = job.url();
        int hash = configured.indexOf('#');
        String target = hash < 0 ? configured : configured.substring(0, hash);
        String fragment = hash < 0 ? null : configured.substring(hash + 1);
        ConnectionOverrides overrides = overrides(job, fragment);
        for (String problem : overrides.problems()) {
            if (problem.startsWith("11243 ")) {
                world.alert(11243, problem.substring(6) + " on " + configured);
            } else {
                world.alert(11200, "Connection override ignored on " + configured + ": " + problem);
            }
        }
        String form = job.parameters().entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        boolean get = job.method().equalsIgnoreCase("GET");
        String wire = get && !form.isEmpty() ? target + (target.contains("?") ? "&" : "?") + form : target;
        // [rule webhooks.signature] Base64(HMAC-SHA1(auth token, URL + sorted POST parameters)).
        // [rule webhooks.signature.fragment] Whether the URL signed keeps the fragment it was configured with.
        String signed = fragment != null && world.rules.is("webhooks.signature.fragment", "included") ? wire + "#" + fragment : wire;
        String signature = SignatureVerifier.sign(authToken, signed, get ? Map.of() : job.parameters());

        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("what", job.what());
        entry.put("sender", job.sender().name().toLowerCase(java.util.Locale.ROOT));
        entry.put("method", job.method());
        entry.put("url", configured);
        entry.put("wireUrl", wire);
        entry.put("signedUrl", signed);
        entry.put("overrides", overrides.describe());
        if (!overrides.problems().isEmpty()) {
            entry.put("problems", overrides.problems());
        }
        List<Map<String, Object>> attempts = new ArrayList<>();
        entry.put("attempts", attempts);

        URI uri;
        try {
            uri = URI.create(wire);
        } catch (IllegalArgumentException e) {
            Response response = new Response(0, null, null, "not a URL: " + wire);
            entry.put("outcome", response.describe());
            keep(entry);
            return response;
        }
        WebhookFaults.Effect lost = faults.dropped(job.method(), uri.getRawPath());
        if (lost != null) {
            // Lost for good (a test's fault, not Twilio's behaviour) past the point where Twilio could tell: a front door
            // that answered 204 and lost it. The product never sees it, Twilio raises no alert, and nothing tries again.
            Response response = new Response(204, null, "", null);
            entry.put("dropped", lost.describe());
            entry.put("outcome", response.describe());
            keep(entry);
            return response;
        }
        long start = System.nanoTime();
        long simulated = 0;
        Response response = null;
        Attempt last = null;
        boolean outOfTime = false;
        for (int n = 1; ; n++) {
            // [rule webhooks.retry.total-time] Every attempt, retries included, fits in tt.
            long left = overrides.totalTimeMillis() - ((System.nanoTime() - start) / 1_000_000 + simulated);
            if (n > 1 && left < 1) {
                outOfTime = true;
                break;
            }
            last = attempt(job, uri, get, form, signature, overrides, Math.max(1, left));
            last.log().put("attempt", n);
            attempts.add(last.log());
            simulated += last.simulatedMillis();
            response = new Response(last.response().status(), last.response().contentType(), last.response().body(), last.response().failure(), n);
            if (last.failure() == null || Thread.currentThread().isInterrupted()) {
                break;
            }
            // [rule webhooks.retry.policy] Retried while rc allows and rp names the failure.
            if (n > overrides.retryCount() || !overrides.retries(last.failure())) {
                break;
            }
        }
        if (outOfTime && last != null && (last.failure().equals("ct") || last.failure().equals("rt"))) {
            world.alert(11203, "HTTP communication total time out triggered: " + job.method() + " " + configured
                    + " (tt=" + overrides.totalTimeMillis() + "ms, " + attempts.size() + " attempts)");
        }
        entry.put("outcome", response.describe());
        keep(entry);
        return response;
    }

    private synchronized void keep(Map<String, Object> entry) {
        log.add(entry);
        while (log.size() > KEPT_IN_LOG) {
            log.poll();
        }
    }

    /** One attempt, within {@code leftMillis} of the total time. */
    private Attempt attempt(Job job, URI uri, boolean get, String form, String signature, ConnectionOverrides overrides, long leftMillis) {
        long readTimeout = Math.min(Math.min(overrides.readTimeoutMillis(), job.timeout().toMillis()), leftMillis);
        Map<String, Object> log = new LinkedHashMap<>();
        WebhookFaults.Effect fault = faults.match(job.method(), uri.getRawPath());
        if (fault != null) {
            log.put("fault", fault.describe());
        }
        if (fault != null && fault.refuse()) {
            return failed(log, new Response(0, null, null, "connection failed: refused"), "ct", 0, false);
        }
        if (fault != null && !fault.after()) {
            if (fault.timeout()) {
                return failed(log, new Response(0, null, null, "no answer within " + readTimeout + "ms"), "rt", readTimeout, false);
            }
            return failed(log, new Response(fault.status(), "application/json", "{}", null), failureOf(fault.status()), 0, false);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(readTimeout))
                .header(SignatureVerifier.HEADER, signature)
                .header("User-Agent", "TwilioProxy/1.1 (simulator)");
        if (get) {
            request.GET();
        } else {
            request.header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
        }
        // The request's timeout bounds the connection too, so what is left of tt holds either way.
        int connectTimeout = overrides.connectTimeoutMillis();
        HttpClient http = clients.computeIfAbsent(connectTimeout, ms -> HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(ms)).followRedirects(HttpClient.Redirect.NEVER).build());
        Response answer;
        String failure;
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            answer = new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null), response.body(), null);
            failure = failureOf(response.statusCode());
        } catch (HttpConnectTimeoutException e) {
            answer = new Response(0, null, null, "connection failed: no connection within " + connectTimeout + "ms");
            failure = "ct";
        } catch (HttpTimeoutException e) {
            answer = new Response(0, null, null, "no answer within " + readTimeout + "ms");
            failure = "rt";
        } catch (ConnectException e) {
            answer = new Response(0, null, null, "connection failed: " + e.getMessage());
            failure = "ct";
        } catch (IOException e) {
            // The connection was made and dropped before an answer came: counted as a read failure.
            answer = new Response(0, null, null, "no answer: " + e.getMessage());
            failure = "rt";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(log, new Response(0, null, null, "interrupted"), "rt", 0, true);
        }
        if (fault != null) {
            // after: the product handled it; what it answered never reaches Twilio.
            log.put("productAnswered", answer.describe());
            if (fault.timeout()) {
                return failed(log, new Response(0, null, null, "no answer within " + readTimeout + "ms"), "rt", readTimeout, true);
            }
            return failed(log, new Response(fault.status(), "application/json", "{}", null), failureOf(fault.status()), 0, true);
        }
        log.put("delivered", true);
        log.put("result", answer.describe());
        if (failure != null) {
            log.put("failure", failure);
        }
        return new Attempt(answer, failure, 0, log);
    }

    private static Attempt failed(Map<String, Object> log, Response response, String failure, long simulatedMillis, boolean delivered) {
        log.put("delivered", delivered);
        log.put("result", response.describe());
        log.put("failure", failure);
        return new Attempt(response, failure, simulatedMillis, log);
    }

    /** The failure class of an HTTP status, or null for an answer that is not a failure. */
    private static String failureOf(int status) {
        if (status >= 500 && status <= 599) {
            return "5xx";
        }
        if (status >= 400 && status <= 499) {
            return "4xx";
        }
        return null;
    }
}
