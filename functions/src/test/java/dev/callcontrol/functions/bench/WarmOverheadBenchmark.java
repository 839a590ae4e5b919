package dev.callcontrol.functions.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.ConferenceEvent;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.config.Config;
import dev.callcontrol.functions.AssignmentCallbackFunction;
import dev.callcontrol.functions.ConferenceEventsFunction;
import dev.callcontrol.functions.Handlers;
import dev.callcontrol.functions.HoldFunction;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import dev.callcontrol.testing.Webhooks;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The product's own time per warm invocation (a benchmark, not a test): the assignment callback,
 * a conference event and a hold, each through the handler's {@code handleRequest} with the real
 * event parsing, signature check or JWT claims, domain and JSON answer, and Twilio and DynamoDB
 * behind in-memory ports. The INFO log lines are written to standard output as in Lambda. JMH
 * samples each invocation's time, so the report has p50 and p99. Run with {@code local/warm-bench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx512m", "-XX:+UseSerialGC"})
public class WarmOverheadBenchmark {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String CONFERENCE = "CF0123456789abcdef0123456789abcdef";
    private static final String AGENT_LEG = "CA00000000000000000000000000000a01";
    private static final String CUSTOMER_LEG = "CA00000000000000000000000000000a02";
    private static final String ALICE = "WK00000000000000000000000000000001";

    private AssignmentCallbackFunction assignment;
    private ConferenceEventsFunction conferenceEvents;
    private HoldFunction hold;
    private FakeTelephony telephony;
    private APIGatewayV2HTTPEvent assignmentEvent;
    private APIGatewayV2HTTPEvent holdEvent;
    private APIGatewayV2HTTPEvent conferenceEvent;
    private int sequence = 10;

    @Setup(Level.Trial)
    public void connectACall() {
        Config config = Config.of(Webhooks.localEnvironment());
        InMemoryCallRecords records = new InMemoryCallRecords();
        telephony = new FakeTelephony();
        telephony.tasks.put(TASK, new Telephony.TaskContext(TASK, "assigned", CUSTOMER_LEG, ALICE, "support",
                Map.of("from", "+14155550123", "reason", "billing"), 75));
        CallControl calls = new CallControl(records, telephony,
                new CallControl.Settings(config.publicBaseUrl(), config.callerId(), 20, List.of("+1")));
        calls.onConferenceEvent(event(1, AGENT_LEG));
        calls.onConferenceEvent(event(2, CUSTOMER_LEG));
        assignment = new AssignmentCallbackFunction(config);
        conferenceEvents = Handlers.conferenceEvents(config, calls);
        hold = Handlers.hold(config, calls);
        assignmentEvent = Webhooks.sample("assignment-voice-task.json");
        holdEvent = Webhooks.sample("hold.json");
    }

    /** Each conference event is a new one (the next sequence number), signed as Twilio would, outside the measured time. */
    @Setup(Level.Invocation)
    public void nextConferenceEvent() {
        APIGatewayV2HTTPEvent event = Webhooks.sample("conference-event-join.json");
        Map<String, String> form = new LinkedHashMap<>(Webhooks.form(event));
        form.put("SequenceNumber", String.valueOf(++sequence));
        form.put("StatusCallbackEvent", sequence % 2 == 0 ? "participant-hold" : "participant-unhold");
        form.put("CallSid", CUSTOMER_LEG);
        form.put("Hold", String.valueOf(sequence % 2 == 0));
        conferenceEvent = Webhooks.signed(Webhooks.withForm(event, form));
    }

    @Setup(Level.Iteration)
    public void forgetRequests() {
        telephony.requests.clear();
    }

    private static ConferenceEvent event(int sequence, String callSid) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("ConferenceSid", CONFERENCE);
        form.put("FriendlyName", TASK);
        form.put("StatusCallbackEvent", "participant-join");
        form.put("SequenceNumber", String.valueOf(sequence));
        form.put("CallSid", callSid);
        form.put("Hold", "false");
        form.put("Muted", "false");
        form.put("Coaching", "false");
        return ConferenceEvent.parse(form);
    }

    @Benchmark
    public APIGatewayV2HTTPResponse assignmentCallback() {
        return check(assignment.handleRequest(assignmentEvent, null), 200);
    }

    @Benchmark
    public APIGatewayV2HTTPResponse conferenceEvent() {
        return check(conferenceEvents.handleRequest(conferenceEvent, null), 200);
    }

    @Benchmark
    public APIGatewayV2HTTPResponse holdRequest() {
        return check(hold.handleRequest(holdEvent, null), 200);
    }

    /** A benchmark of an error path would measure the wrong thing. */
    private static APIGatewayV2HTTPResponse check(APIGatewayV2HTTPResponse response, int status) {
        if (response.getStatusCode() != status) {
            throw new IllegalStateException("expected " + status + ", got " + response.getStatusCode() + ": " + response.getBody());
        }
        return response;
    }
}
