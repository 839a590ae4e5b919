package dev.callcontrol.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.callcontrol.config.Config;
import dev.callcontrol.local.sim.TwilioSimulator;
import org.joda.time.DateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The scheduled functions of template.yaml (their {@code Schedule} events, EventBridge rules), run
 * by the local runtime: on the simulator's clock when the simulator plays Twilio (each time
 * {@code POST /sim/clock/advance} passes a tick, after the webhooks before it have settled), on the
 * wall clock against real Twilio. {@code POST /dev/reconcile} runs the reconciler now and answers
 * what it did. Each run gets the event EventBridge sends a rule's target
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html).
 */
final class Schedules implements HttpHandler, AutoCloseable {
    static final String RECONCILE_PATH = "/dev/reconcile";
    private static final Logger LOG = LoggerFactory.getLogger(Schedules.class);

    /** A scheduled function, ready to run. */
    record Scheduled(SamTemplate.Function function, SamTemplate.Schedule schedule, Duration period, RequestHandler<ScheduledEvent, ?> handler) {
    }

    private final List<Scheduled> scheduled;
    private ScheduledExecutorService wallClock;

    private Schedules(List<Scheduled> scheduled) {
        this.scheduled = List.copyOf(scheduled);
    }

    /**
     * The schedules of {@code functions}. A schedule written as {@code !Ref Parameter} takes the
     * value of the function's environment variable that refers to the same parameter, overrides
     * included ({@code RECONCILE_SCHEDULE=rate(5 minutes)}), so the local runtime runs it as often
     * as the function believes it runs.
     */
    static Schedules of(List<SamTemplate.Function> functions, Map<String, Map<String, String>> environments, Intrinsics intrinsics,
                        java.util.function.BiFunction<SamTemplate.Function, Map<String, String>, RequestHandler<ScheduledEvent, ?>> instantiate) {
        List<Scheduled> out = new ArrayList<>();
        for (SamTemplate.Function function : functions) {
            for (SamTemplate.Schedule schedule : function.schedules()) {
                String expression = null;
                for (Map.Entry<String, Object> variable : function.environment().entrySet()) {
                    if (variable.getValue() != null && variable.getValue().equals(schedule.expression())) {
                        expression = environments.get(function.logicalId()).get(variable.getKey());
                    }
                }
                if (expression == null) {
                    expression = intrinsics.resolve(schedule.expression());
                }
                String written = expression;
                Duration period = Config.rate(expression).orElseThrow(() -> new IllegalStateException(function.logicalId() + "."
                        + schedule.eventId() + ": the local runtime runs rate expressions from rate(1 minute) to rate(1 day), not '" + written + "'"));
                out.add(new Scheduled(function, schedule, period, instantiate.apply(function, environments.get(function.logicalId()))));
            }
        }
        return new Schedules(out);
    }

    List<Scheduled> scheduled() {
        return scheduled;
    }

    /** Starts every schedule: on the simulator's clock when there is a simulator, else on the wall clock. */
    void start(Optional<TwilioSimulator> simulator) {
        if (simulator.isPresent()) {
            for (Scheduled each : scheduled) {
                simulator.get().every(each.function().logicalId(), each.period(), () -> run(each));
            }
            return;
        }
        if (scheduled.isEmpty()) {
            return;
        }
        wallClock = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("local-schedule").factory());
        for (Scheduled each : scheduled) {
            long seconds = each.period().toSeconds();
            wallClock.scheduleAtFixedRate(() -> run(each), seconds, seconds, TimeUnit.SECONDS);
        }
    }

    /** One run of a scheduled function, as EventBridge invokes it; what it answers, or null when it failed (logged). */
    Object run(Scheduled each) {
        ScheduledEvent event = new ScheduledEvent()
                .withId(UUID.randomUUID().toString())
                .withDetailType("Scheduled Event")
                .withSource("aws.events")
                .withAccount("123456789012")
                .withRegion("us-east-1")
                .withTime(DateTime.now())
                .withResources(List.of("arn:aws:events:us-east-1:123456789012:rule/" + each.function().logicalId() + "-" + each.schedule().eventId()))
                .withDetail(Map.of());
        try {
            return each.handler().handleRequest(event, new LocalContext(each.function(), event.getId()));
        } catch (RuntimeException e) {
            // As Lambda would: the invocation failed and the next tick runs it again.
            LOG.warn("{} failed on its schedule", each.function().logicalId(), e);
            return null;
        }
    }

    /** {@code POST /dev/reconcile}: runs the reconciler now and answers what it did. */
    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            int status;
            Object body;
            Optional<Scheduled> reconciler = scheduled.stream()
                    .filter(each -> each.function().handlerClass().endsWith(".ReconcileFunction")).findFirst();
            if (!"POST".equalsIgnoreCase(exchange.getRequestMethod())) {
                status = 405;
                body = DevAnswers.error("method_not_allowed", "POST " + RECONCILE_PATH + " runs the reconciler");
            } else if (reconciler.isEmpty()) {
                status = 404;
                body = DevAnswers.error("not_found", "template.yaml has no scheduled ReconcileFunction");
            } else {
                Object outcome = run(reconciler.get());
                status = outcome == null ? 502 : 200;
                body = outcome == null ? DevAnswers.error("reconciler_failed", "the reconciler failed; its log says why") : outcome;
            }
            DevAnswers.json(exchange, status, body);
        }
    }

    @Override
    public void close() {
        if (wallClock != null) {
            wallClock.shutdownNow();
        }
    }
}
