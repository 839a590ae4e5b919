package dev.callcontrol.taskrouter;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.taskrouter.v1.Workspace;
import com.twilio.rest.taskrouter.v1.workspace.TaskQueue;
import com.twilio.rest.taskrouter.v1.workspace.Workflow;
import dev.callcontrol.http.Json;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Applies the TaskRouter configuration the product's transfers rely on (task queues, and a
 * workflow that routes on {@code requested_agent} and {@code desired_queue}) to a workspace,
 * idempotently: each queue and the workflow are found by friendly name, created when missing,
 * updated when different, and left alone when they already match. Queue SIDs in the workflow
 * are written as {@code {{queue:<name>}}} and filled in here.
 */
public final class WorkspaceSetup {
    /** The workspace events the product acts on ({@code /twilio/taskrouter-events}); the workspace is subscribed to these only. */
    public static final String PRODUCT_EVENTS = "task.canceled,reservation.rejected,reservation.timeout";
    public static final String EVENTS_PATH = dev.callcontrol.twilio.WebhookUrls.TASKROUTER_EVENTS_PATH;

    /** What one application did. */
    public record Outcome(String workflowSid, Map<String, String> queueSids, List<String> changes) {
    }

    private final TwilioRestClient client;
    private final String workspaceSid;

    public WorkspaceSetup(TwilioRestClient client, String workspaceSid) {
        this.client = client;
        this.workspaceSid = workspaceSid;
    }

    /** The configuration shipped with the product. */
    public static JsonNode bundled() {
        try (var in = WorkspaceSetup.class.getResourceAsStream("workspace.json")) {
            return Json.MAPPER.readTree(Objects.requireNonNull(in, "workspace.json is missing from the build"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read the bundled TaskRouter configuration", e);
        }
    }

    /** Applies {@code configuration}; the workflow's assignment callback becomes {@code assignmentCallbackUrl}. */
    public Outcome apply(JsonNode configuration, String assignmentCallbackUrl) {
        return apply(configuration, assignmentCallbackUrl, null, null, null);
    }

    /**
     * Applies {@code configuration} and, when {@code eventCallbackUrl} is given, points the
     * workspace's event callback at it, subscribed to {@code eventsFilter} (comma-separated).
     */
    public Outcome apply(JsonNode configuration, String assignmentCallbackUrl, String eventCallbackUrl, String eventsFilter) {
        return apply(configuration, assignmentCallbackUrl, null, eventCallbackUrl, eventsFilter);
    }

    /**
     * The product's own callbacks for a deployment reached at {@code publicBaseUrl}: the assignment
     * callback and its fallback, and the event callback for {@link #PRODUCT_EVENTS}, each with the
     * retries it asks Twilio for ({@link dev.callcontrol.twilio.WebhookUrls}).
     */
    public Outcome applyForProduct(JsonNode configuration, String publicBaseUrl) {
        return apply(configuration, dev.callcontrol.twilio.WebhookUrls.assignmentCallback(publicBaseUrl),
                dev.callcontrol.twilio.WebhookUrls.assignmentFallback(publicBaseUrl),
                dev.callcontrol.twilio.WebhookUrls.eventCallback(publicBaseUrl), PRODUCT_EVENTS);
    }

    /**
     * Applies {@code configuration}; the workflow's assignment callback becomes
     * {@code assignmentCallbackUrl} and, when given, its fallback {@code fallbackUrl}, which
     * TaskRouter calls once when the assignment callback fails
     * (https://www.twilio.com/docs/taskrouter/handle-assignment-callbacks); when
     * {@code eventCallbackUrl} is given, the workspace's event callback points at it, subscribed to
     * {@code eventsFilter} (comma-separated).
     */
    public Outcome apply(JsonNode configuration, String assignmentCallbackUrl, String fallbackUrl, String eventCallbackUrl, String eventsFilter) {
        List<String> changes = new ArrayList<>();
        if (eventCallbackUrl != null) {
            Workspace workspace = Workspace.fetcher(workspaceSid).fetch(client);
            if (workspace.getEventCallbackUrl() == null || !eventCallbackUrl.equals(workspace.getEventCallbackUrl().toString())
                    || !Objects.equals(eventsFilter, workspace.getEventsFilter())) {
                Workspace.updater(workspaceSid).setEventCallbackUrl(URI.create(eventCallbackUrl)).setEventsFilter(eventsFilter).update(client);
                changes.add("pointed the workspace's event callback at " + eventCallbackUrl + " for " + eventsFilter);
            }
        }
        Map<String, String> queueSids = new LinkedHashMap<>();
        for (JsonNode queue : configuration.path("queues")) {
            String name = text(queue, "friendlyName");
            String target = text(queue, "targetWorkers");
            TaskQueue existing = null;
            for (TaskQueue found : TaskQueue.reader(workspaceSid).setFriendlyName(name).read(client)) {
                existing = found;
                break;
            }
            if (existing == null) {
                existing = TaskQueue.creator(workspaceSid, name).setTargetWorkers(target).create(client);
                changes.add("created queue " + name + " (" + existing.getSid() + ")");
            } else if (!target.equals(existing.getTargetWorkers())) {
                existing = TaskQueue.updater(workspaceSid, existing.getSid()).setTargetWorkers(target).update(client);
                changes.add("updated queue " + name + " (" + existing.getSid() + ")");
            }
            queueSids.put(name, existing.getSid());
        }

        JsonNode workflow = configuration.path("workflow");
        String name = text(workflow, "friendlyName");
        int reservationTimeout = workflow.path("taskReservationTimeout").asInt(120);
        String routing = fill(workflow.path("configuration").toString(), queueSids);
        Workflow existing = null;
        for (Workflow found : Workflow.reader(workspaceSid).setFriendlyName(name).read(client)) {
            existing = found;
            break;
        }
        URI callback = URI.create(assignmentCallbackUrl);
        URI fallback = fallbackUrl == null ? null : URI.create(fallbackUrl);
        if (existing == null) {
            var creator = Workflow.creator(workspaceSid, name, routing).setAssignmentCallbackUrl(callback)
                    .setTaskReservationTimeout(reservationTimeout);
            if (fallback != null) {
                creator.setFallbackAssignmentCallbackUrl(fallback);
            }
            existing = creator.create(client);
            changes.add("created workflow " + name + " (" + existing.getSid() + ")");
        } else if (!sameJson(routing, existing.getConfiguration())
                || existing.getAssignmentCallbackUrl() == null || !callback.equals(existing.getAssignmentCallbackUrl())
                || (fallback != null && !fallback.equals(existing.getFallbackAssignmentCallbackUrl()))
                || !Objects.equals(reservationTimeout, existing.getTaskReservationTimeout())) {
            var updater = Workflow.updater(workspaceSid, existing.getSid()).setConfiguration(routing).setAssignmentCallbackUrl(callback)
                    .setTaskReservationTimeout(reservationTimeout);
            if (fallback != null) {
                updater.setFallbackAssignmentCallbackUrl(fallback);
            }
            existing = updater.update(client);
            changes.add("updated workflow " + name + " (" + existing.getSid() + ")");
        }
        return new Outcome(existing.getSid(), queueSids, changes);
    }

    private static String fill(String template, Map<String, String> queueSids) {
        String out = template;
        for (Map.Entry<String, String> queue : queueSids.entrySet()) {
            out = out.replace("{{queue:" + queue.getKey() + "}}", queue.getValue());
        }
        if (out.contains("{{queue:")) {
            throw new IllegalArgumentException("the workflow names a queue the configuration does not define: " + out);
        }
        return out;
    }

    private static boolean sameJson(String a, String b) {
        try {
            return b != null && Json.MAPPER.readTree(a).equals(Json.MAPPER.readTree(b));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String text(JsonNode node, String field) {
        String value = node.path(field).asText("");
        if (value.isBlank()) {
            throw new IllegalArgumentException("the TaskRouter configuration lacks " + field);
        }
        return value;
    }
}
