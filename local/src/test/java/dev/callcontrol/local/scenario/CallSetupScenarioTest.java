package dev.callcontrol.local.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Conference;
import com.twilio.rest.api.v2010.account.conference.Participant;
import com.twilio.rest.taskrouter.v1.workspace.Task;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.LocalDefaults;
import dev.callcontrol.local.LocalRuntime;
import dev.callcontrol.local.sim.DemoWorkspace;
import dev.callcontrol.local.sim.SimClient;
import dev.callcontrol.testing.Project;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blueprint's first flow end to end: a customer calls the demo number, TaskRouter reserves an
 * agent, the product's assignment callback answers {@code conference}, the agent answers, and
 * customer and agent hear each other in a conference named by the task SID.
 */
class CallSetupScenarioTest {
    private static final String CUSTOMER = "+14155550123";
    private static LocalRuntime runtime;
    private static AgentApiContract agentApi;
    private static SimClient sim;
    private static TwilioRestClient twilio;

    @BeforeAll
    static void start() throws Exception {
        runtime = LocalRuntime.start(LocalRuntime.Options.fromEnvironment(Scenarios.environment()));
        agentApi = AgentApiContract.watch(runtime);
        String simulator = runtime.simulator().orElseThrow().baseUrl();
        sim = new SimClient(simulator);
        twilio = Scenarios.testClient(runtime);
    }

    @org.junit.jupiter.api.AfterEach
    void everyAgentApiExchangeAsDescribed() {
        assertEquals(List.of(), agentApi.takeMismatches(), "agent-API exchanges that docs/agent-api.yaml does not describe");
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @Test
    void customerAndAgentHearEachOtherInAConferenceNamedByTheTask() {
        String customerCall = sim.dial(CUSTOMER, DemoWorkspace.PHONE_NUMBER);

        // Waiting in the queue, the caller hears the queue's music while the agent's phone rings.
        assertEquals(Set.of("music:" + "http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical"), sim.hears(CUSTOMER));
        JsonNode task = sim.tasks().get(0);
        assertEquals("reserved", task.path("assignment_status").asText());
        JsonNode taskAttributes = Json.parse(task.path("attributes").asText(), "attributes");
        assertEquals(customerCall, taskAttributes.path("call_sid").asText());
        assertEquals(CUSTOMER, taskAttributes.path("from").asText());
        assertEquals(CUSTOMER, taskAttributes.path("caller").asText());
        assertEquals(DemoWorkspace.PHONE_NUMBER, taskAttributes.path("to").asText());
        assertEquals(DemoWorkspace.PHONE_NUMBER, taskAttributes.path("called").asText());
        String agentCall = sim.ringing("alice");
        assertEquals(Set.of("ringing"), sim.hears("alice"));

        sim.answer(agentCall);

        assertEquals(Set.of("alice"), sim.hears(CUSTOMER));
        assertEquals(Set.of(CUSTOMER), sim.hears("alice"));
        String taskSid = task.path("sid").asText();
        JsonNode customer = sim.liveCall(CUSTOMER);
        assertEquals(taskSid, customer.path("conference").asText());

        sim.advance(1); // conference.participants may be written a second after the joins (taskrouter.conference-instruction.participants-attribute)
        Task assigned = Task.fetcher(DemoWorkspace.WORKSPACE_SID, taskSid).fetch(twilio);
        assertEquals(Task.Status.ASSIGNED, assigned.getAssignmentStatus());
        JsonNode conference = Json.parse(assigned.getAttributes(), "attributes").path("conference");
        assertEquals(customerCall, conference.path("participants").path("customer").asText());
        assertEquals(agentCall, conference.path("participants").path("worker").asText());
        Conference room = Conference.fetcher(conference.path("sid").asText()).fetch(twilio);
        assertEquals(taskSid, room.getFriendlyName());
        assertEquals(Conference.Status.IN_PROGRESS, room.getStatus());
        List<String> members = StreamSupport.stream(Participant.reader(room.getSid()).read(twilio).spliterator(), false)
                .map(Participant::getCallSid).sorted().toList();
        assertEquals(List.of(customerCall, agentCall).stream().sorted().toList(), members);

        assertEquals(List.of(), StreamSupport.stream(sim.alerts().spliterator(), false).toList(), "Twilio debugger alerts");
        assertEquals(List.of(), sim.contractViolations(), "requests that broke Twilio's contract");
        assertTrue(sim.contractChecked() || System.getenv("CI") == null, "CI runs with the contract check on");
        assertEquals(LocalDefaults.ACCOUNT_SID, room.getAccountSid());
    }
}
