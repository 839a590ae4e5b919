package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callcontrol.http.Json;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static dev.callcontrol.local.sim.TaskRouterState.integer;
import static dev.callcontrol.local.sim.TaskRouterState.jsonObject;
import static dev.callcontrol.local.sim.TaskRouterState.required;

/**
 * TaskRouter's Workflow resource (create and update its configuration, assignment callback URLs and
 * reservation timeout, https://www.twilio.com/docs/taskrouter/api/workflow) and what a workflow does
 * with a task (https://www.twilio.com/docs/taskrouter/workflow-configuration,
 * https://www.twilio.com/docs/taskrouter/lifecycle-task-workflows-and-assignment): its filters are
 * evaluated in order ({@link Expression}), the first that matches (else the default filter) gives the
 * targets, and each target's queue {@code target_workers}, {@code expression} and
 * {@code known_worker_sid} / {@code known_worker_friendly_name}
 * (https://www.twilio.com/docs/taskrouter/workflow-configuration/known-agent-routing) choose among the
 * available workers, the one idle longest first; with none the task waits in the first queue. Waiting
 * tasks are routed again, highest priority first, whenever a worker or a task is freed. The workflow
 * resources themselves are kept in {@link TaskRouterState}. Every method runs under the world's lock.
 */
final class Workflows {
    private final SimWorld world;

    Workflows(SimWorld world) {
        this.world = world;
    }

    // ---------------------------------------------------------------- REST

    Object createWorkflow(TwilioSimulator.Call call) {
        world.taskRouter.requireWorkspace(call.variable(1));
        String name = required(call, "FriendlyName");
        String sid = world.taskRouter.nextSid("WW");
        Map<String, Object> workflow = world.taskRouter.workflow(sid, name, checkedConfiguration(required(call, "Configuration")));
        applyWorkflowParameters(call, workflow);
        world.taskRouter.workflows().put(sid, workflow);
        return new TwilioSimulator.Created(workflow);
    }

    Object updateWorkflow(TwilioSimulator.Call call) {
        @SuppressWarnings("unchecked")
        Map<String, Object> workflow = (Map<String, Object>) world.taskRouter.fetch(call, world.taskRouter.workflows(), "Workflow");
        if (call.first("FriendlyName") != null) {
            workflow.put("friendly_name", call.first("FriendlyName"));
        }
        if (call.first("Configuration") != null) {
            workflow.put("configuration", checkedConfiguration(call.first("Configuration")));
        }
        applyWorkflowParameters(call, workflow);
        world.taskRouter.touch(workflow);
        return workflow;
    }

    /**
     * A configuration as TaskRouter saves it: a JSON object whose filter and target expressions
     * parse (rule {@code taskrouter.expression.constants}); otherwise a 400 naming the expression.
     * The status and code are an assumption: Twilio documents that an invalid configuration is
     * refused, not with which code.
     */
    private static String checkedConfiguration(String text) {
        String configuration = jsonObject(text, "Configuration");
        JsonNode routing = Json.parse(configuration, "Configuration").path("task_routing");
        for (JsonNode filter : routing.path("filters")) {
            check(filter.path("expression"));
            for (JsonNode target : filter.path("targets")) {
                check(target.path("expression"));
            }
        }
        return configuration;
    }

    private static void check(JsonNode expression) {
        if (!expression.isTextual()) {
            return;
        }
        try {
            Expression.check(expression.asText());
        } catch (Expression.Invalid e) {
            throw new TwilioError(400, 20001, "Invalid workflow configuration: " + e.getMessage());
        }
    }

    private static void applyWorkflowParameters(TwilioSimulator.Call call, Map<String, Object> workflow) {
        if (call.first("AssignmentCallbackUrl") != null) {
            workflow.put("assignment_callback_url", call.first("AssignmentCallbackUrl"));
        }
        if (call.first("FallbackAssignmentCallbackUrl") != null) {
            workflow.put("fallback_assignment_callback_url", call.first("FallbackAssignmentCallbackUrl"));
        }
        if (call.first("TaskReservationTimeout") != null) {
            int timeout = integer(call.first("TaskReservationTimeout"), "TaskReservationTimeout");
            if (timeout < 1 || timeout > 86_400) {
                throw new TwilioError(400, 20001, "TaskReservationTimeout must be between 1 and 86400");
            }
            workflow.put("task_reservation_timeout", timeout);
        }
    }

    void freed() {
        world.outbox.later("route waiting tasks", this::routeWaiting);
    }

    private void routeWaiting() {
        world.tasks.all().stream().filter(t -> t.status.equals("pending"))
                .sorted(Comparator.comparingInt((Task t) -> -t.priority).thenComparing(t -> t.created))
                .toList().forEach(this::route);
    }

    // ---------------------------------------------------------------- routing

    /** Evaluates the task's workflow and reserves the first fitting worker, or leaves the task waiting in its queue. */
    void route(Task task) {
        if (!task.status.equals("pending")) {
            return;
        }
        Map<String, Object> workflow = world.taskRouter.workflows().get(task.workflowSid);
        if (workflow == null) {
            return;
        }
        JsonNode attributes = Json.parse(task.attributes, "attributes");
        JsonNode routing = Json.parse((String) workflow.get("configuration"), "configuration").path("task_routing");
        JsonNode targets = null;
        // [rule taskrouter.workflow.first-matching-filter]
        for (JsonNode filter : routing.path("filters")) {
            String expression = filter.path("expression").asText("1==1");
            if (matches(expression, "task", Map.of("task", attributes))) {
                targets = filter.path("targets");
                break;
            }
        }
        if (targets == null) {
            JsonNode fallback = routing.path("default_filter");
            targets = fallback.isMissingNode() ? Json.MAPPER.createArrayNode() : Json.MAPPER.createArrayNode().add(fallback);
        }
        String firstQueue = null;
        for (JsonNode target : targets) {
            String queueSid = target.path("queue").asText(null);
            Map<String, Object> queue = world.taskRouter.queues().get(queueSid);
            if (queue == null) {
                world.alert(40008, "workflow " + task.workflowSid + " routes to queue " + queueSid + ", which does not exist");
                continue;
            }
            if (firstQueue == null) {
                firstQueue = queueSid;
            }
            Map<String, Object> worker = pick(task, queue, target, attributes);
            if (worker != null) {
                enterQueue(task, queueSid);
                world.reservations.reserve(task, worker);
                return;
            }
        }
        if (firstQueue != null) {
            enterQueue(task, firstQueue);
        }
    }

    private void enterQueue(Task task, String queueSid) {
        if (!queueSid.equals(task.queueSid)) {
            task.queueSid = queueSid;
            task.queueEntered = world.now();
            world.taskRouterEvents.event("task-queue.entered", task, null, Map.of());
        }
    }

    // [rule taskrouter.workflow.known-worker]
    private Map<String, Object> pick(Task task, Map<String, Object> queue, JsonNode target, JsonNode taskAttributes) {
        String known = target.has("known_worker_sid") ? resolveKnown(target.path("known_worker_sid").asText(), taskAttributes) : null;
        if (target.has("known_worker_sid") && known == null) {
            return null;
        }
        String knownName = target.has("known_worker_friendly_name") ? resolveKnown(target.path("known_worker_friendly_name").asText(), taskAttributes) : null;
        List<Map<String, Object>> candidates = new ArrayList<>();
        for (Map<String, Object> worker : world.taskRouter.workers().values()) {
            if (!Boolean.TRUE.equals(worker.get("available")) || task.rejectedBy.contains(worker.get("sid")) || world.reservations.busy(worker, task.channel)) {
                continue;
            }
            if (known != null && !known.equals(worker.get("sid"))) {
                continue;
            }
            if (knownName != null && !knownName.equals(worker.get("friendly_name"))) {
                continue;
            }
            ObjectNode workerScope = ((ObjectNode) Json.parse((String) worker.get("attributes"), "attributes")).deepCopy();
            workerScope.put("sid", (String) worker.get("sid"));
            workerScope.put("friendly_name", (String) worker.get("friendly_name"));
            Map<String, JsonNode> scopes = Map.of("task", taskAttributes, "worker", workerScope);
            if (!matches((String) queue.get("target_workers"), "worker", scopes)) {
                continue;
            }
            String expression = target.path("expression").asText(null);
            if (expression != null && !matches(expression, "worker", scopes)) {
                continue;
            }
            candidates.add(worker);
        }
        // The worker idle longest gets the task.
        return candidates.stream().min(Comparator.comparing(w -> world.reservations.lastFree.getOrDefault((String) w.get("sid"), Instant.EPOCH))).orElse(null);
    }

    private static String resolveKnown(String reference, JsonNode taskAttributes) {
        if (!reference.startsWith("task.")) {
            return reference;
        }
        JsonNode node = taskAttributes;
        for (String part : reference.substring("task.".length()).split("\\.")) {
            node = node.path(part);
        }
        return node.isTextual() ? node.asText() : null;
    }

    boolean matches(String expression, String subject, Map<String, JsonNode> scopes) {
        try {
            return Expression.matches(expression, subject, scopes);
        } catch (Expression.Invalid e) {
            world.alert(40001, "Invalid expression: " + e.getMessage());
            return false;
        }
    }
}
