package dev.callcontrol.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.callcontrol.http.Json;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Lambda Runtime API on a loopback port, as the runtime of a function sees it
 * (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html): the next event, then the
 * response (or an error) for it; and one cold start timed against it, from just before the process
 * starts until its response arrives, with the process's peak resident memory (VmHWM) read at that
 * moment. {@link ColdStart} and {@link Comparisons} run their processes through it.
 */
final class RuntimeApi implements AutoCloseable {
    private static final String RUNTIME_API = "/2018-06-01/runtime/invocation/";

    private final Path root;
    private final HttpServer server;
    private volatile Invocation current;

    /** The one invocation the Runtime API is serving now. */
    private static final class Invocation {
        final String requestId = UUID.randomUUID().toString();
        final byte[] event;
        final CompletableFuture<String> response = new CompletableFuture<>();
        volatile long answeredNanos;
        volatile long peakRssKb = -1;
        volatile Process process;

        Invocation(byte[] event) {
            this.event = event;
        }
    }

    record Result(double millis, long peakRssKb, String status) {
    }

    private RuntimeApi(Path root, HttpServer server) {
        this.root = root;
        this.server = server;
    }

    /** The Runtime API, answering on a free loopback port; {@code root} is where the run logs go. */
    static RuntimeApi start(Path root) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        RuntimeApi api = new RuntimeApi(root, server);
        server.createContext("/", api::serve);
        // A thread per request: a process's second poll for work is parked until the process is killed.
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return api;
    }

    /** Where a function's runtime finds it: {@code AWS_LAMBDA_RUNTIME_API}. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** One cold start; {@code graceful} stops the process with SIGTERM and waits for it to exit, as a training run must. */
    Result once(List<String> command, Map<String, String> env, byte[] body, Path directory, boolean graceful) throws Exception {
        Invocation invocation = new Invocation(body);
        current = invocation;
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(root.resolve("local/target/coldstart-last.log").toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        long start = System.nanoTime();
        Process process = builder.start();
        invocation.process = process;
        String response;
        try {
            CompletableFuture.anyOf(invocation.response, process.onExit()).get(60, TimeUnit.SECONDS);
            if (!invocation.response.isDone()) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue()
                        + " before answering: see local/target/coldstart-last.log");
            }
            response = invocation.response.get();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no response within 60 s: see local/target/coldstart-last.log");
        } finally {
            if (graceful) {
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } else {
                process.destroyForcibly();
            }
            process.waitFor(10, TimeUnit.SECONDS);
        }
        double millis = (invocation.answeredNanos - start) / 1_000_000.0;
        String status = "-";
        try {
            JsonNode answer = Json.MAPPER.readTree(response);
            if (answer.has("statusCode")) {
                status = answer.path("statusCode").asText();
            }
        } catch (IOException e) {
            status = "-";
        }
        if (status.startsWith("4") || status.startsWith("5")) {
            // What the function answered, for telling a sample's expected refusal from a broken run.
            Files.writeString(root.resolve("local/target/coldstart-last-refusal.json"), response);
        }
        return new Result(millis, invocation.peakRssKb, status);
    }

    /** The Runtime API: the next event, then the response (or an error) for it. */
    private void serve(HttpExchange exchange) throws IOException {
        Invocation invocation = current;
        String path = exchange.getRequestURI().getPath();
        byte[] in = exchange.getRequestBody().readAllBytes();
        if (path.equals(RUNTIME_API + "next")) {
            exchange.getResponseHeaders().set("Lambda-Runtime-Aws-Request-Id", invocation.requestId);
            exchange.getResponseHeaders().set("Lambda-Runtime-Deadline-Ms", String.valueOf(System.currentTimeMillis() + 15_000));
            exchange.getResponseHeaders().set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:coldstart");
            exchange.getResponseHeaders().set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000");
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            if (invocation.response.isDone()) {
                // A second poll after the response: the process stays parked until it is killed.
                sleepQuietly();
            }
            exchange.sendResponseHeaders(200, invocation.event.length);
            exchange.getResponseBody().write(invocation.event);
        } else if (path.endsWith("/response") || path.endsWith("/error") || path.startsWith("/hello")) {
            invocation.answeredNanos = System.nanoTime();
            invocation.peakRssKb = peakRss(invocation.process);
            exchange.sendResponseHeaders(202, -1);
            invocation.response.complete(path.endsWith("/error") ? "{\"statusCode\":\"error\"}" : new String(in, StandardCharsets.UTF_8));
        } else {
            exchange.sendResponseHeaders(404, -1);
        }
        exchange.close();
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** VmHWM of the JVM (the child of taskset when pinned), in kB; -1 when unknown. */
    private static long peakRss(Process process) {
        if (process == null) {
            return -1;
        }
        try {
            List<ProcessHandle> java = new ArrayList<>(process.toHandle().descendants().toList());
            java.add(0, process.toHandle());
            long best = -1;
            for (ProcessHandle handle : java) {
                Path status = Path.of("/proc", String.valueOf(handle.pid()), "status");
                if (Files.exists(status)) {
                    for (String line : Files.readAllLines(status)) {
                        if (line.startsWith("VmHWM:")) {
                            best = Math.max(best, Long.parseLong(line.replaceAll("\\D", "")));
                        }
                    }
                }
            }
            return best;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
