package dev.callcontrol.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.Json;
import dev.callcontrol.taskrouter.WorkspaceSetup;
import dev.callcontrol.twilio.TwilioClients;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code local/taskrouter-apply [FILE]}: applies the product's TaskRouter configuration (the
 * bundled one, or FILE) to the workspace in {@code TASKROUTER_WORKSPACE_SID}, with the
 * credentials in {@code TWILIO_ACCOUNT_SID} / {@code TWILIO_AUTH_TOKEN} (and
 * {@code TWILIO_API_BASE_URL} when set). The workflow's assignment callback becomes
 * {@code PUBLIC_BASE_URL/twilio/assignment}, with that route as its fallback too, and the
 * workspace's event callback {@code PUBLIC_BASE_URL/twilio/taskrouter-events}, each with the
 * connection overrides of {@link dev.callcontrol.twilio.WebhookUrls}. Running it again changes nothing.
 */
public final class ApplyWorkspace {
    private ApplyWorkspace() {
    }

    public static void main(String[] args) throws IOException {
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.putIfAbsent("TWILIO_ACCOUNT_SID", LocalDefaults.ACCOUNT_SID);
        env.putIfAbsent("TWILIO_AUTH_TOKEN", LocalDefaults.AUTH_TOKEN);
        env.putIfAbsent("TASKROUTER_WORKSPACE_SID", LocalDefaults.WORKSPACE_SID);
        env.putIfAbsent("PUBLIC_BASE_URL", "http://" + LocalDefaults.HOST + ":" + LocalDefaults.PORT);
        if (!env.containsKey("TWILIO_API_BASE_URL") && !"real".equals(env.get("LOCAL_TWILIO"))) {
            env.put("TWILIO_API_BASE_URL", "http://" + LocalDefaults.HOST + ":" + LocalDefaults.SIMULATOR_PORT);
        }
        Config config = Config.of(env);
        JsonNode configuration = args.length > 0 ? Json.MAPPER.readTree(Files.readString(Path.of(args[0]))) : WorkspaceSetup.bundled();
        try {
            WorkspaceSetup.Outcome outcome = new WorkspaceSetup(TwilioClients.restClient(config), config.workspaceSid())
                    .applyForProduct(configuration, config.publicBaseUrl());
            outcome.changes().forEach(System.out::println);
            if (outcome.changes().isEmpty()) {
                System.out.println("workspace " + config.workspaceSid() + " already matches; nothing changed");
            }
            System.out.println("queues: " + outcome.queueSids());
            System.out.println("TASKROUTER_WORKFLOW_SID=" + outcome.workflowSid());
        } catch (ApiException e) {
            System.err.println("TaskRouter refused: " + e.getCode() + " " + e.getMessage());
            System.exit(1);
        } catch (ApiConnectionException e) {
            System.err.println("TaskRouter did not answer at " + (config.twilioApiBaseUrl() == null ? "taskrouter.twilio.com" : config.twilioApiBaseUrl())
                    + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
