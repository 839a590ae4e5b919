package dev.callcontrol.local.sim;

import dev.callcontrol.twilio.SignatureVerifier;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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
 */
final class Outbox implements AutoCloseable {
    /** An answer from the product, or why there was none. */
    record Response(int status, String contentType, String body, String failure) {
        boolean ok() {
            return failure == null && status >= 200 && status < 300;
        }

        String describe() {
            return failure != null ? failure : "HTTP " + status;
        }
    }

    /** A request to the product, or (with no url) a step to run later under the lock. */
    record Job(String what, String method, String url, Map<String, String> parameters, Duration timeout, Consumer<Response> then, boolean replayable) {
        Job(String what, String method, String url, Map<String, String> parameters, Duration timeout, Consumer<Response> then) {
            this(what, method, url, parameters, timeout, then, false);
        }
    }

    private final Object lock;
    private final String authToken;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    private final Deque<Job> queue = new ArrayDeque<>();
    /** Status callbacks already delivered, newest last, for {@link #replay}. */
    private final Deque<Job> delivered = new ArrayDeque<>();
    private static final int KEPT_FOR_REPLAY = 50;
    private final Thread thread;
    private final Consumer<String> problems;
    private int inFlight;
    private boolean closed;

    Outbox(Object lock, String authToken, Consumer<String> problems) {
        this.lock = lock;
        this.authToken = authToken;
        this.problems = problems;
        this.thread = Thread.ofPlatform().daemon().name("simulator-outbox").start(this::run);
    }

    /** Sends a request to the product; {@code then} sees its answer under the lock. */
    synchronized void send(String what, String method, String url, Map<String, String> parameters, Duration timeout, Consumer<Response> then) {
        queue.add(new Job(what, method, url, new LinkedHashMap<>(parameters), timeout, then));
        notifyAll();
    }

    /**
     * Sends a status callback (conference, call or TaskRouter event): like {@link #send}, and kept
     * so that {@link #replay} can deliver it again, as Twilio sometimes does.
     */
    synchronized void sendEvent(String what, String method, String url, Map<String, String> parameters, Duration timeout, Consumer<Response> then) {
        queue.add(new Job(what, method, url, new LinkedHashMap<>(parameters), timeout, then, true));
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
        chosen.forEach(job -> queue.add(new Job("replayed " + job.what(), job.method(), job.url(), job.parameters(), job.timeout(), response -> { }, false)));
        notifyAll();
        return chosen.size();
    }

    /** Runs {@code step} under the lock after what is already queued: how Twilio's asynchronous work is ordered. */
    synchronized void later(String what, Runnable step) {
        queue.add(new Job(what, null, null, Map.of(), null, response -> step.run()));
        notifyAll();
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
                synchronized (lock) {
                    job.then().accept(response);
                }
            } catch (RuntimeException e) {
                problems.accept(job.what() + " failed in the simulator: " + e);
            } finally {
                synchronized (this) {
                    inFlight--;
                    notifyAll();
                }
            }
        }
    }

    private Response deliver(Job job) {
        String form = job.parameters().entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        boolean get = job.method().equalsIgnoreCase("GET");
        String url = get && !form.isEmpty() ? job.url() + (job.url().contains("?") ? "&" : "?") + form : job.url();
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(job.timeout());
        } catch (IllegalArgumentException e) {
            return new Response(0, null, null, "not a URL: " + url);
        }
        request.header(SignatureVerifier.HEADER, SignatureVerifier.sign(authToken, url, get ? Map.of() : job.parameters()))
                .header("User-Agent", "TwilioProxy/1.1 (simulator)");
        if (get) {
            request.GET();
        } else {
            request.header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null), response.body(), null);
        } catch (HttpTimeoutException e) {
            return new Response(0, null, null, "no answer within " + job.timeout().toSeconds() + "s");
        } catch (IOException e) {
            return new Response(0, null, null, "connection failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Response(0, null, null, "interrupted");
        }
    }
}
