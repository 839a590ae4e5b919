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
    final Participants participants;
    final TwimlInterpreter twiml;
    final Hearing hearing;
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
        this.participants = new Participants(this);
        this.twiml = new TwimlInterpreter(this);
        this.hearing = new Hearing(this);
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
            synchronized (this) {
                SimClock.Timer timer = clock.nextDue(target);
                if (timer == null) {
                    break;
                }
                timer.action.run();
            }
        }
        outbox.awaitIdle(settleLimit);
    }

    @Override
    public void close() {
        outbox.close();
    }
}
