package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.taskrouter.v1.workspace.Task;
import com.twilio.rest.taskrouter.v1.workspace.Workflow;
import dev.callcontrol.taskrouter.WorkspaceSetup;
import dev.callcontrol.twilio.WebhookUrls;
import com.twilio.rest.taskrouter.v1.Workspace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped TaskRouter configuration, applied through twilio-java to the simulator's workspace: once, then again. */
class WorkspaceSetupTest {
    private static final String CALLBACK = "http://127.0.0.1:3000/twilio/assignment";
    private static final String EVENTS = "http://127.0.0.1:3000/twilio/taskrouter-events";
    private static SimFixture fixture;
    private static TwilioSimulator simulator;
    private static SimClient sim;
    private static TwilioRestClient twilio;

    @BeforeAll
    static void start() throws Exception {
        fixture = SimFixture.start(SimFixture.Product.NONE);
        simulator = fixture.simulator;
        sim = fixture.sim;
        twilio = fixture.twilio;
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void applyingTwiceChangesNothingTheSecondTimeAndTheWorkflowRoutesTransfers() {
        WorkspaceSetup setup = new WorkspaceSetup(twilio, DemoWorkspace.WORKSPACE_SID);
        WorkspaceSetup.Outcome first = setup.apply(WorkspaceSetup.bundled(), CALLBACK, EVENTS, WorkspaceSetup.PRODUCT_EVENTS);
        assertEquals(List.of("pointed the workspace's event callback at " + EVENTS + " for " + WorkspaceSetup.PRODUCT_EVENTS,
                "created queue everyone (" + first.queueSids().get("everyone") + ")",
                "created workflow Call control (" + first.workflowSid() + ")"), first.changes(),
                "support and sales already match the demo workspace");
        assertEquals(DemoWorkspace.SUPPORT_QUEUE, first.queueSids().get("support"));
        Workflow workflow = Workflow.fetcher(DemoWorkspace.WORKSPACE_SID, first.workflowSid()).fetch(twilio);
        assertEquals(CALLBACK, workflow.getAssignmentCallbackUrl().toString());
        assertTrue(workflow.getConfiguration().contains(first.queueSids().get("everyone")), workflow.getConfiguration());

        sim.clearRequests();
        WorkspaceSetup.Outcome second = setup.apply(WorkspaceSetup.bundled(), CALLBACK, EVENTS, WorkspaceSetup.PRODUCT_EVENTS);
        assertEquals(List.of(), second.changes());
        assertEquals(first.workflowSid(), second.workflowSid());
        assertEquals(0, sim.requests().stream().filter(r -> r.path("method").asText().equals("POST")).count(), "the second run only reads");

        // A transfer to a named agent reaches that agent; one to a queue waits in that queue.
        Task toCarol = Task.creator(DemoWorkspace.WORKSPACE_SID).setWorkflowSid(first.workflowSid())
                .setAttributes("{\"route\":\"agent\",\"requested_agent\":\"" + DemoWorkspace.CAROL + "\"}").setTaskChannel("voice").create(twilio);
        Task toSales = Task.creator(DemoWorkspace.WORKSPACE_SID).setWorkflowSid(first.workflowSid())
                .setAttributes("{\"desired_queue\":\"sales\"}").setTaskChannel("voice").create(twilio);
        JsonNode tasks = sim.tasks();
        for (JsonNode task : tasks) {
            if (task.path("sid").asText().equals(toCarol.getSid())) {
                assertEquals(DemoWorkspace.CAROL, task.path("reservations").get(0).path("worker_sid").asText());
            }
            if (task.path("sid").asText().equals(toSales.getSid())) {
                assertEquals(DemoWorkspace.SALES_QUEUE, task.path("task_queue_sid").asText());
            }
        }
        assertEquals(List.of(), sim.contractViolations());
    }

    @Test
    void theProductsCallbacksAskForRetriesAndTheWorkflowFallsBackToTheSameRoute() throws Exception {
        // A simulator of its own: the workspace it sets up is not the one the test above counts on.
        try (SimFixture own = SimFixture.start(SimFixture.Product.NONE)) {
            TwilioRestClient client = own.twilio;
            String base = "https://calls.example.com";
            WorkspaceSetup setup = new WorkspaceSetup(client, DemoWorkspace.WORKSPACE_SID);
            WorkspaceSetup.Outcome first = setup.applyForProduct(WorkspaceSetup.bundled(), base);

            Workflow workflow = Workflow.fetcher(DemoWorkspace.WORKSPACE_SID, first.workflowSid()).fetch(client);
            assertEquals(base + "/twilio/assignment#" + WebhookUrls.ASSIGNMENT_RETRIES, workflow.getAssignmentCallbackUrl().toString());
            assertEquals(base + "/twilio/assignment?attempt=fallback#" + WebhookUrls.ASSIGNMENT_RETRIES, workflow.getFallbackAssignmentCallbackUrl().toString(),
                    "TaskRouter's documented second try of a failed assignment callback");
            assertEquals(base + "/twilio/taskrouter-events#" + WebhookUrls.RETRIES,
                    Workspace.fetcher(DemoWorkspace.WORKSPACE_SID).fetch(client).getEventCallbackUrl().toString());

            assertEquals(List.of(), setup.applyForProduct(WorkspaceSetup.bundled(), base).changes(), "running it again changes nothing");
            assertEquals(List.of(), own.sim.contractViolations());
        }
    }
}
