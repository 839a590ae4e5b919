package dev.callcontrol.local.scenario;

import dev.callcontrol.local.Agent;
import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.taskrouter.v1.workspace.Task;
import dev.callcontrol.local.LocalRuntime;
import dev.callcontrol.local.sim.DemoWorkspace;
import dev.callcontrol.local.sim.SimClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fixture every call-control scenario shares: the local runtime with the Twilio simulator,
 * a way to get a customer connected to a support agent, and the checks that run after each
 * scenario (no contract violations, no debugger alerts, every agent-API request and answer as
 * docs/agent-api.yaml describes it ({@link AgentApiContract}), wrap-up finished so the next scenario
 * finds the agents free), and no log line with a full phone number or the auth token
 * ({@link PersonalDataInLogs}).
 */
@org.junit.jupiter.api.extension.ExtendWith(PersonalDataInLogs.class)
abstract class CallCentreScenario {
    static final String HOLD_MUSIC = "music:http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3";
    static final Map<String, String> WORKERS = Map.of("alice", DemoWorkspace.ALICE, "bob", DemoWorkspace.BOB,
            "carol", DemoWorkspace.CAROL, "sam", DemoWorkspace.SAM);

    static LocalRuntime runtime;
    static AgentApiContract agentApi;
    static SimClient sim;
    static TwilioRestClient twilio;

    /** Settings a scenario class runs the product with, as {@code NAME=value}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface WithSettings {
        String[] value();
    }

    @BeforeAll
    static void start(TestInfo test) throws Exception {
        Map<String, String> environment = Scenarios.environment();
        test.getTestClass().map(c -> c.getAnnotation(WithSettings.class)).ifPresent(settings -> {
            for (String setting : settings.value()) {
                int eq = setting.indexOf('=');
                environment.put(setting.substring(0, eq), setting.substring(eq + 1));
            }
        });
        runtime = LocalRuntime.start(LocalRuntime.Options.fromEnvironment(environment));
        agentApi = AgentApiContract.watch(runtime);
        sim = new SimClient(runtime.simulator().orElseThrow().baseUrl());
        twilio = Scenarios.testClient(runtime);
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @AfterEach
    void nothingBrokeTheContractAndNoWebhookFailed() {
        sim.resetRules();
        finishWrapUp();
        for (String worker : List.of("alice", "bob", "carol")) {
            sim.setActivity(WORKERS.get(worker), DemoWorkspace.AVAILABLE);
        }
        assertEquals(List.of(), sim.contractViolations(), "requests that broke Twilio's contract");
        assertEquals(List.of(), agentApi.takeMismatches(), "agent-API exchanges that docs/agent-api.yaml does not describe");
        assertEquals(List.of(), StreamSupport.stream(sim.alerts().spliterator(), false).toList(), "Twilio debugger alerts");
        assertEquals(List.of(), Scenarios.requestsNotByApiKey(sim.requests(), runtime.environment("HoldFunction").get("TWILIO_API_KEY_SID")),
                "REST requests authenticated with the auth token instead of the product's API key");
    }

    /** Agents finish wrap-up (their UI completes the task), so that they are free for the next call. */
    static void finishWrapUp() {
        for (JsonNode task : sim.tasks()) {
            if (task.path("assignment_status").asText().equals("wrapping")) {
                Task.updater(DemoWorkspace.WORKSPACE_SID, task.path("sid").asText()).setAssignmentStatus(Task.Status.COMPLETED).update(twilio);
            }
        }
    }

    /** A connected call: its task, the support agent TaskRouter chose (the one idle longest) and the other one. */
    record Connected(String task, String agent, String other) {
    }

    /** A customer calls the support line and the support agent whose phone rings answers. */
    static Connected connect(String customer) {
        sim.dial(customer, DemoWorkspace.PHONE_NUMBER);
        String agent = sim.liveCall("alice") != null ? "alice" : "bob";
        sim.answer(sim.ringing(agent));
        assertEquals(Set.of(agent), sim.hears(customer));
        return new Connected(sim.liveCall(customer).path("conference").asText(), agent, agent.equals("alice") ? "bob" : "alice");
    }

    static Agent signIn(String worker) {
        return Agent.signIn(runtime.baseUrl(), worker);
    }

    /** The reading of an ambiguous simulator rule this run is under (see {@code GET /sim/rules}). */
    static String reading(String rule) {
        for (JsonNode entry : sim.rules()) {
            if (entry.path("id").asText().equals(rule)) {
                return entry.path("variant").asText();
            }
        }
        throw new AssertionError("the simulator has no rule " + rule);
    }

    /** A task as TaskRouter has it. */
    static JsonNode task(String sid) {
        for (JsonNode task : sim.tasks()) {
            if (task.path("sid").asText().equals(sid)) {
                return task;
            }
        }
        throw new AssertionError("TaskRouter has no task " + sid + ": " + sim.tasks());
    }

    /**
     * Leaves the call centre as the next case expects it: nobody on the phone, every task finished
     * (completed, or canceled if still routing), no faults armed, every agent available.
     */
    static void resetCallCentre(SimClient simulator, TwilioRestClient rest) {
        simulator.clearFaults();
        hangUpEveryone(simulator);
        simulator.advance(60);
        for (JsonNode task : simulator.tasks()) {
            String status = task.path("assignment_status").asText();
            var update = Task.updater(DemoWorkspace.WORKSPACE_SID, task.path("sid").asText());
            if (List.of("assigned", "wrapping").contains(status)) {
                update.setAssignmentStatus(Task.Status.COMPLETED).setReason("case over").update(rest);
            } else if (List.of("pending", "reserved").contains(status)) {
                update.setAssignmentStatus(Task.Status.CANCELED).setReason("case over").update(rest);
            }
        }
        for (String worker : List.of(DemoWorkspace.ALICE, DemoWorkspace.BOB, DemoWorkspace.CAROL)) {
            simulator.setActivity(worker, DemoWorkspace.AVAILABLE);
        }
    }

    /** Hangs up every live call, one at a time: ending one can end others (a conference with them). */
    static void hangUpEveryone(SimClient simulator) {
        for (int left = 50; left > 0; left--) {
            var calls = simulator.hearing();
            if (calls.isEmpty()) {
                return;
            }
            simulator.hangup(calls.get(0).path("callSid").asText());
        }
    }

    /**
     * The REST requests the functions sent since the last clear. With Flex tokens API Gateway's
     * authorizer asks Twilio IAM about a token first; that is the authorizer's request, not the
     * command's, so it is left out.
     */
    static List<JsonNode> functionRequests() {
        return sim.requests().stream().filter(r -> !r.path("host").asText().equals("iam.twilio.com")).toList();
    }

    /** The REST requests the product sent for this: creating a participant, updating a task, and so on. */
    static List<JsonNode> requests(String method, String pathPattern) {
        return sim.requests().stream().filter(r -> r.path("method").asText().equals(method) && r.path("path").asText().matches(pathPattern)).toList();
    }

    /** The participant updates that took this call off hold. */
    static long resumes(String callSid) {
        return requests("POST", ".*/Participants/" + callSid + "\\.json").stream()
                .filter(r -> r.path("parameters").path("Hold").path(0).asText().equals("false")).count();
    }

    static void hangUp(String party) {
        JsonNode call = sim.liveCall(party);
        if (call != null) {
            sim.hangup(call.path("callSid").asText());
        }
    }
}
