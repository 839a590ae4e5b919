package dev.callcontrol.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.taskrouter.v1.workspace.Task;
import dev.callcontrol.config.Config;
import dev.callcontrol.local.sim.DemoWorkspace;
import dev.callcontrol.local.sim.SimClient;
import dev.callcontrol.twilio.TwilioClients;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Live calls on a local runtime's Twilio simulator, for the benchmarks: a customer calls in and the
 * agent whose phone rings answers (the product sets the call up through its assignment callback and
 * conference events, as in production), and everything is put back afterwards.
 */
public final class LiveCalls {
    /** A live call: the task SID that names its conference, and the answering agent's name and worker SID. */
    public record Call(String taskSid, String agent, String workerSid) {
    }

    private final SimClient sim;
    private final TwilioRestClient twilio;

    public LiveCalls(LocalRuntime runtime) {
        String simulator = runtime.simulator().orElseThrow().baseUrl();
        this.sim = new SimClient(simulator);
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_ACCOUNT_SID", LocalDefaults.ACCOUNT_SID);
        env.put("TWILIO_AUTH_TOKEN", LocalDefaults.AUTH_TOKEN);
        env.put("PUBLIC_BASE_URL", runtime.baseUrl());
        env.put("TASKROUTER_WORKSPACE_SID", LocalDefaults.WORKSPACE_SID);
        env.put("TASKROUTER_WORKFLOW_SID", LocalDefaults.WORKFLOW_SID);
        env.put("CALLER_ID", LocalDefaults.CALLER_ID);
        env.put("TABLE_NAME", "unused");
        env.put("TWILIO_API_BASE_URL", simulator);
        this.twilio = TwilioClients.restClient(Config.of(env));
    }

    public SimClient sim() {
        return sim;
    }

    /** A customer calls the support line and the agent whose phone rings answers. */
    public Call callIn(String customer) {
        sim.dial(customer, DemoWorkspace.PHONE_NUMBER);
        String agent = sim.liveCall("alice") != null ? "alice" : "bob";
        sim.clearRequests();
        sim.answer(sim.ringing(agent));
        return new Call(sim.liveCall(customer).path("conference").asText(), agent, agent.equals("alice") ? DemoWorkspace.ALICE : DemoWorkspace.BOB);
    }

    /** Hangs up a party's live call, if it has one. */
    public void hangUp(String party) {
        JsonNode call = sim.liveCall(party);
        if (call != null) {
            sim.hangup(call.path("callSid").asText());
        }
    }

    /**
     * Hangs up every live call, ends every task that would take an agent and makes the demo agents
     * available again: the state {@link #callIn} expects.
     */
    public void reset() {
        // One at a time, looking again each time: a customer's hang-up ends the conference and its other legs.
        for (int left = 50; left > 0; left--) {
            JsonNode live = null;
            for (JsonNode call : sim.hearing()) {
                if (!call.path("status").asText().equals("completed")) {
                    live = call;
                    break;
                }
            }
            if (live == null) {
                break;
            }
            sim.hangup(live.path("callSid").asText());
        }
        // Tasks that would take an agent: a waiting or offered one is canceled, an assigned one completed.
        for (JsonNode task : sim.tasks()) {
            String status = task.path("assignment_status").asText();
            if (status.equals("pending") || status.equals("reserved")) {
                Task.updater(DemoWorkspace.WORKSPACE_SID, task.path("sid").asText()).setAssignmentStatus(Task.Status.CANCELED).update(twilio);
            } else if (status.equals("assigned")) {
                Task.updater(DemoWorkspace.WORKSPACE_SID, task.path("sid").asText()).setAssignmentStatus(Task.Status.COMPLETED).update(twilio);
            }
        }
        finishWrapUp();
    }

    /** Completes every task in wrap-up and makes the demo agents available again. */
    public void finishWrapUp() {
        for (JsonNode task : sim.tasks()) {
            if (task.path("assignment_status").asText().equals("wrapping")) {
                Task.updater(DemoWorkspace.WORKSPACE_SID, task.path("sid").asText()).setAssignmentStatus(Task.Status.COMPLETED).update(twilio);
            }
        }
        for (String worker : List.of(DemoWorkspace.ALICE, DemoWorkspace.BOB, DemoWorkspace.CAROL)) {
            sim.setActivity(worker, DemoWorkspace.AVAILABLE);
        }
    }
}
