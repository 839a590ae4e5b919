package dev.callcontrol.local.sim;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the simulator knows: TaskRouter's configuration and routing, the voice network
 * (calls, conferences, participants, the TwiML they run and who hears whom), the simulated clock, the outbox of webhooks, and the
 * alerts Twilio's debugger would show. The world is its own lock: REST requests, control
 * requests, timers and webhook results each change it while holding that lock, and nothing that
 * holds it waits on the network.
 */
final class SimWorld implements AutoCloseable {
    /** Alerts go through the log, so a test that provokes one on purpose prints nothing when it passes (QuietLogs). */
    private static final Logger LOG = LoggerFactory.getLogger(SimWorld.class);
    private static final DateTimeFormatter RFC_2822 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);

    final String accountSid;
    final String authToken;
    /** Twilio's OpenAPI contract, which assignment instructions are checked against as REST requests are; empty without the specs. */
    final Optional<ContractCheck> contract;
    final SimClock clock = new SimClock(Instant.now());
    final Outbox outbox;
    /** TaskRouter (https://www.twilio.com/docs/taskrouter): its configuration, then the resources that move. */
    final TaskRouterState taskRouter;
    final Workers workers;
    final Workflows workflows;
    final Tasks tasks;
    final Reservations reservations;
    final AssignmentCallbacks assignments;
    final TaskRouterEvents taskRouterEvents;
    /** Programmable Voice (https://www.twilio.com/docs/voice): calls, conferences, their TwiML, and what each person hears. */
    final Calls calls;
    final Conferences conferences;
    final ConferenceRecordings recordings;
    final Participants participants;
    final TwimlInterpreter twiml;
    final Hearing hearing;
    final FlexTokens flexTokens;
    /** The rules register, with the variants in force for this simulator. */
    final Rules rules = new Rules(Rules.startingSelection());
    private final List<Map<String, Object>> alerts = new ArrayList<>();
    private long sids = 0x1000;

    SimWorld(String accountSid, String authToken, Optional<ContractCheck> contract) {
        this.accountSid = accountSid;
        this.authToken = authToken;
        this.contract = contract;
        this.taskRouter = new TaskRouterState(this);
        this.outbox = new Outbox(this, authToken);
        this.workers = new Workers(this);
        this.workflows = new Workflows(this);
        this.tasks = new Tasks(this);
        this.reservations = new Reservations(this);
        this.assignments = new AssignmentCallbacks(this);
        this.taskRouterEvents = new TaskRouterEvents(this);
        this.calls = new Calls(this);
        this.conferences = new Conferences(this);
        this.recordings = new ConferenceRecordings(this);
        this.participants = new Participants(this);
        this.twiml = new TwimlInterpreter(this);
        this.hearing = new Hearing(this);
        this.flexTokens = new FlexTokens(this);
    }

    /** A new SID: the prefix and 32 hex digits, counting up so that runs are repeatable. */
    String sid(String prefix) {
        return prefix + String.format("%032x", sids++);
    }

    Instant now() {
        return clock.now();
    }

    /** Twilio's 2010-04-01 API writes dates as RFC 2822. */
    String rfc2822(Instant instant) {
        return instant == null ? null : RFC_2822.format(instant);
    }

    /** What Twilio's debugger would show: a failed webhook, an invalid document, a refused instruction. */
    synchronized void alert(int code, String message) {
        alert(code, message, Map.of());
    }

    /** An alert with more to say: the contract violations of a refused instruction, say. */
    synchronized void alert(int code, String message, Map<String, Object> details) {
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("time", clock.now().toString());
        alert.put("code", code);
        alert.put("message", message);
        alert.putAll(details);
        alerts.add(alert);
        LOG.warn("[simulator] alert {}: {}", code, message);
    }

    synchronized List<Map<String, Object>> alerts() {
        return List.copyOf(alerts);
    }

    synchronized void clearAlerts() {
        alerts.clear();
    }

    /**
     * Moves the clock forward, firing each timer at its moment and letting the webhooks it caused
     * settle before the next one, so that what the product does in answer happens "at that time".
     */
    void advance(Duration duration, Duration settleLimit) {
        Instant target;
        synchronized (this) {
            target = clock.now().plus(duration);
        }
        while (true) {
            outbox.awaitIdle(settleLimit);
            Runnable scheduled = null;
            synchronized (this) {
                Schedule due = schedules.stream().min(java.util.Comparator.comparing(Schedule::next)).orElse(null);
                Instant timerAt = clock.nextAt();
                if (due != null && !due.next().isAfter(target) && (timerAt == null || due.next().isBefore(timerAt))) {
                    clock.moveTo(due.next());
                    schedules.set(schedules.indexOf(due), due.following());
                    scheduled = due.action();
                } else {
                    SimClock.Timer timer = clock.nextDue(target);
                    if (timer == null) {
                        break;
                    }
                    timer.action.run();
                }
            }
            if (scheduled != null) {
                // Outside the lock: what a schedule runs (the product's scheduled functions) calls the REST API.
                scheduled.run();
            }
        }
        outbox.awaitIdle(settleLimit);
    }

    /** Something outside the simulator that runs every {@code period} of simulated time: the product's scheduled functions. */
    record Schedule(String what, Duration period, Instant next, Runnable action) {
        Schedule following() {
            return new Schedule(what, period, next.plus(period), action);
        }
    }

    private final List<Schedule> schedules = new java.util.ArrayList<>();

    /** Runs {@code action} every {@code period} of simulated time from now, without the lock, as the clock passes each tick. */
    synchronized void every(String what, Duration period, Runnable action) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("a schedule needs a period");
        }
        schedules.add(new Schedule(what, period, clock.now().plus(period), action));
    }

    /** The schedules and when each next runs, for {@code GET /sim/clock}. */
    synchronized List<Map<String, Object>> describeSchedules() {
        return schedules.stream().map(s -> Map.<String, Object>of("what", s.what(), "every", s.period().toSeconds(),
                "next", s.next().toString())).toList();
    }

    @Override
    public void close() {
        outbox.close();
    }
}
