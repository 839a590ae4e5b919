package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.callcontrol.http.Json;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.callcontrol.local.sim.TwilioSimulator.twilioJson;

/**
 * The simulator's own control API under {@code /sim}, which no Twilio product has: what tests and
 * the local tools use to act for the people at the other end of calls (dial in, answer, decline,
 * fail, hang up: the outcomes of https://www.twilio.com/docs/voice/api/call-resource#call-status-values),
 * set a worker's activity, move the simulated clock, and read back the hearing, tasks, alerts,
 * request log, faults and replayed webhooks, the webhooks delivered (with every attempt) and the
 * faults between Twilio and the product ({@link WebhookFaults}), and list the rules register and choose among the
 * readings of an ambiguous rule ({@link Rules}); and, for benchmarks, seed live calls in bulk
 * ({@link Conferences#seedLive}). {@link SimClient} is its client. {@link TwilioSimulator}
 * hands it the world, the request log, the fault rules and whether requests are contract-checked.
 */
record ControlApi(SimWorld world, RequestLog log, Faults faults, boolean contractChecked) {
    private static final Pattern WORKER_ACTIVITY = Pattern.compile("^/sim/workers/([^/]+)/activity$");
    private static final Pattern CALL_ACTION = Pattern.compile("^/sim/calls/(CA[0-9a-fA-F]{32})/(answer|decline|busy|fail|hangup)$");
    private static final Duration SETTLE = Duration.ofSeconds(20);

    /**
     * The control API. Every request first lets the simulator settle (webhooks delivered, the
     * product's answers applied) and settles again after acting, so a test reads a settled world.
     */
    void serve(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String body = new String(exchange.getRequestBody().readNBytes(TwilioSimulator.MAX_BODY), StandardCharsets.UTF_8);
        try {
            settle();
            Object response = switch (method + " " + path) {
                case "GET /sim/health" -> Map.of("status", "ok", "contractChecked", contractChecked);
                case "GET /sim/workers" -> locked(this::directory);
                case "GET /sim/requests" -> log.entries();
                case "DELETE /sim/requests" -> {
                    log.clear();
                    yield Map.of("cleared", true);
                }
                case "GET /sim/faults" -> faults.rules();
                case "POST /sim/faults" -> {
                    JsonNode fault = Json.parse(body, "the fault");
                    // A fault on the way to the product ({"webhook": "<path regex>", ...}) or one of the REST API's.
                    yield fault.has("webhook") ? world.outbox.faults().add(webhookFault(fault)) : faults.add(fault);
                }
                case "POST /sim/webhooks/replay" -> Map.of("replayed", world.outbox.replay(Math.max(1, Json.parse(body, "the replay").path("count").asInt(1))));
                case "DELETE /sim/faults" -> {
                    faults.clear();
                    world.outbox.faults().clear();
                    yield Map.of("cleared", true);
                }
                case "GET /sim/webhooks" -> world.outbox.deliveries();
                case "DELETE /sim/webhooks" -> {
                    world.outbox.clearDeliveries();
                    yield Map.of("cleared", true);
                }
                case "GET /sim/webhooks/faults" -> world.outbox.faults().rules();
                case "POST /sim/webhooks/faults" -> world.outbox.faults().add(Json.parse(body, "the webhook fault"));
                case "DELETE /sim/webhooks/faults" -> {
                    world.outbox.faults().clear();
                    yield Map.of("cleared", true);
                }
                case "GET /sim/hearing" -> locked(() -> Map.of("time", world.now().toString(), "calls", world.hearing.hearing()));
                case "GET /sim/calls" -> locked(() -> world.hearing.hearing());
                case "POST /sim/calls" -> {
                    JsonNode request = Json.parse(body, "the call");
                    String from = text(request, "from");
                    String to = request.path("to").asText(DemoWorkspace.PHONE_NUMBER);
                    RawJson answer = locked(() -> Map.of("callSid", world.calls.dialIn(from, to).sid));
                    settle();
                    yield answer;
                }
                case "POST /sim/conferences/seed" -> {
                    JsonNode request = Json.parse(body, "the seeding");
                    List<Conferences.Seed> seeds = new java.util.ArrayList<>();
                    request.path("calls").forEach(call -> seeds.add(new Conferences.Seed(call.path("name").asText(null),
                            call.path("customer").asText(null), call.path("agent").asText(null))));
                    if (seeds.isEmpty()) {
                        throw new TwilioError(400, 20001, "'calls' must list the calls to seed");
                    }
                    List<String> events = new java.util.ArrayList<>();
                    request.path("conferenceStatusCallbackEvent").forEach(event -> events.add(event.asText()));
                    Callback callback = Voice.callback(request.path("conferenceStatusCallback").asText(null), "POST",
                            Voice.events(events, java.util.Set.of("start", "end")));
                    yield locked(() -> Map.of("seeded", world.conferences.seedLive(seeds, callback)));
                }
                case "GET /sim/tasks" -> locked(() -> world.tasks.describe());
                case "GET /sim/clock" -> locked(() -> {
                    Map<String, Object> clock = new java.util.LinkedHashMap<>(world.clock.describe());
                    clock.put("schedules", world.describeSchedules());
                    return clock;
                });
                case "POST /sim/clock/advance" -> {
                    JsonNode request = Json.parse(body, "the clock advance");
                    long seconds = request.path("seconds").asLong(-1);
                    if (seconds < 0 || seconds > 30L * 86_400) {
                        throw new TwilioError(400, 20001, "seconds must be between 0 and 2592000");
                    }
                    world.advance(Duration.ofSeconds(seconds), SETTLE);
                    yield locked(world.clock::describe);
                }
                case "GET /sim/rules" -> world.rules.describe();
                case "POST /sim/rules" -> {
                    JsonNode request = Json.parse(body, "the rule variant");
                    yield world.rules.select(text(request, "id"), text(request, "variant"));
                }
                case "DELETE /sim/rules" -> {
                    world.rules.reset();
                    yield world.rules.describe();
                }
                case "GET /sim/alerts" -> world.alerts();
                case "DELETE /sim/alerts" -> {
                    world.clearAlerts();
                    yield Map.of("cleared", true);
                }
                default -> {
                    Matcher activity = WORKER_ACTIVITY.matcher(path);
                    if (method.equals("POST") && activity.matches()) {
                        JsonNode request = Json.parse(body, "the activity");
                        String worker = URLDecoder.decode(activity.group(1), StandardCharsets.UTF_8);
                        RawJson answer = locked(() -> world.workers.setActivity(worker, request.path("activity").asText()));
                        settle();
                        yield answer;
                    }
                    Matcher action = CALL_ACTION.matcher(path);
                    if (method.equals("POST") && action.matches()) {
                        RawJson answer = locked(() -> {
                            SimCall call = world.calls.find(action.group(1));
                            if (call == null) {
                                throw new TwilioError(404, 20404, "No call " + action.group(1));
                            }
                            if (!call.live()) {
                                throw new TwilioError(409, 20001, "Call " + call.sid + " has already ended (" + call.status + ")");
                            }
                            switch (action.group(2)) {
                                case "answer" -> world.calls.answer(call);
                                case "decline", "busy" -> requireRinging(call, () -> world.calls.unanswered(call, "busy"));
                                case "fail" -> requireRinging(call, () -> world.calls.unanswered(call, "failed"));
                                default -> {
                                    if (call.status.equals("in-progress")) {
                                        world.calls.end(call, "completed");
                                    } else {
                                        world.calls.unanswered(call, call.direction.equals("inbound") ? "canceled" : "busy");
                                    }
                                }
                            }
                            return world.calls.callJson(call);
                        });
                        settle();
                        yield answer;
                    }
                    throw new TwilioError(404, 20404, "No simulator control at " + method + " " + path);
                }
            };
            TwilioSimulator.write(exchange, 200, response instanceof RawJson raw ? raw.json() : twilioJson(response), null);
        } catch (TwilioError e) {
            TwilioSimulator.write(exchange, e.status, twilioJson(e.body()), null);
        } catch (dev.callcontrol.http.HttpError e) {
            TwilioSimulator.write(exchange, e.status(), Json.write(Map.of("code", 20001, "message", e.getMessage(), "status", e.status())), null);
        } catch (RuntimeException e) {
            System.err.println("[simulator] " + method + " " + path + " failed: " + e);
            TwilioSimulator.write(exchange, 500, twilioJson(new TwilioError(500, 20500, "Internal Server Error").body()), null);
        }
    }

    private static void requireRinging(SimCall call, Runnable action) {
        if (call.status.equals("in-progress")) {
            throw new TwilioError(409, 20001, "Call " + call.sid + " was already answered; hang it up instead");
        }
        action.run();
    }

    private static String text(JsonNode request, String field) {
        String value = request.path(field).asText(null);
        if (value == null || value.isBlank()) {
            throw new TwilioError(400, 20001, "'" + field + "' is required");
        }
        return value;
    }

    private void settle() {
        if (!world.outbox.awaitIdle(SETTLE)) {
            System.err.println("[simulator] still delivering webhooks after " + SETTLE.toSeconds() + "s");
        }
    }

    /** The seeded workspace at a glance, with each worker's current tasks. */
    private Map<String, Object> directory() {
        Map<String, Object> directory = world.taskRouter.directory();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> workers = (List<Map<String, Object>>) directory.get("workers");
        for (Map<String, Object> worker : workers) {
            worker.put("tasks", world.reservations.tasksOf((String) worker.get("sid")));
        }
        return directory;
    }

    /** JSON already serialised under the lock. */
    private record RawJson(String json) {
    }

    private RawJson locked(java.util.function.Supplier<Object> work) {
        synchronized (world) {
            return new RawJson(twilioJson(work.get()));
        }
    }

    /** {@code {"webhook": regex, ...}} as a {@link WebhookFaults} rule: the regex is the product path's. */
    private static JsonNode webhookFault(JsonNode fault) {
        if (!fault.path("webhook").isTextual()) {
            throw dev.callcontrol.http.HttpError.badRequest("webhook must be a regular expression on the product's path");
        }
        com.fasterxml.jackson.databind.node.ObjectNode rule = ((com.fasterxml.jackson.databind.node.ObjectNode) fault).deepCopy();
        rule.set("path", rule.remove("webhook"));
        return rule;
    }
}
