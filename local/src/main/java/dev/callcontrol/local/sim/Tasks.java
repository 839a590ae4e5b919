package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TaskRouter's Task resource: create, fetch, list (by assignment status, workflow, queue or an
 * expression over attributes), update (status, attributes, priority, with {@code If-Match} and the
 * {@code ETag}) and delete tasks (https://www.twilio.com/docs/taskrouter/api/task); and a task's life
 * (https://www.twilio.com/docs/taskrouter/lifecycle-task-state): made by {@code <Enqueue workflowSid>}
 * or the API, routed by its workflow ({@link Workflows}), canceled when its caller hangs up, moved to
 * wrapping when its conference ends, completed, and canceled or completed when its TTL passes. Its
 * reservations are {@link Reservations}'. Every method runs under the world's lock.
 */
final class Tasks {
    static final String VOICE_CHANNEL = "TC00000000000000000000000000000001";
    static final String DEFAULT_CHANNEL = "TC00000000000000000000000000000002";
    static final Map<String, String> CHANNELS = Map.of(VOICE_CHANNEL, "voice", DEFAULT_CHANNEL, "default");

    private final SimWorld world;
    private final Map<String, Task> tasks = new LinkedHashMap<>();

    Tasks(SimWorld world) {
        this.world = world;
    }

    // ---------------------------------------------------------------- REST: tasks

    Object createTask(TwilioSimulator.Call request) {
        world.taskRouter.requireWorkspace(request.variable(1));
        String attributes = request.first("Attributes") == null ? "{}" : TaskRouterState.jsonObject(request.first("Attributes"), "Attributes");
        String workflowSid = request.first("WorkflowSid");
        if (workflowSid == null) {
            if (world.taskRouter.workflows().size() != 1) {
                throw new TwilioError(400, 20001, "WorkflowSid is required when the workspace has more than one workflow");
            }
            workflowSid = world.taskRouter.workflows().keySet().iterator().next();
        }
        if (!world.taskRouter.workflows().containsKey(workflowSid)) {
            throw new TwilioError(400, 20001, "Workflow " + workflowSid + " does not exist in this workspace");
        }
        Task task = newTask(attributes, workflowSid, channel(request.first("TaskChannel")),
                TaskRouterState.integer(request.first("Priority"), 0, "Priority"), TaskRouterState.integer(request.first("Timeout"), 86_400, "Timeout"));
        return new TwilioSimulator.Answered(201, taskJson(task), etag(task));
    }

    Object listTasks(TwilioSimulator.Call request) {
        world.taskRouter.requireWorkspace(request.variable(1));
        List<String> statuses = request.parameters().get("AssignmentStatus");
        String workflow = request.first("WorkflowSid");
        String queue = request.first("TaskQueueSid");
        String evaluate = request.first("EvaluateTaskAttributes");
        // [rule taskrouter.tasks.list-order] The page is cut in creation order: ascending DateCreated.
        return TaskRouterState.page(request, "tasks", "WT", tasks.values().stream()
                .filter(t -> statuses == null || statuses.stream().flatMap(s -> List.of(s.split(",")).stream()).anyMatch(s -> s.trim().equals(t.status)))
                .filter(t -> workflow == null || workflow.equals(t.workflowSid))
                .filter(t -> queue == null || queue.equals(t.queueSid))
                .filter(t -> evaluate == null || world.workflows.matches(evaluate, "task", Map.of("task", Json.parse(t.attributes, "attributes"))))
                .toList(), t -> t.sid, this::taskJson);
    }

    Object updateTask(TwilioSimulator.Call request) {
        Task task = task(request);
        checkIfMatch(request, task);
        String status = request.first("AssignmentStatus");
        String attributes = request.first("Attributes") == null ? null : TaskRouterState.jsonObject(request.first("Attributes"), "Attributes");
        if (attributes != null && Set.of("completed", "canceled").contains(task.status)
                && world.rules.is("taskrouter.task.attributes-after-end", "refused")) {
            // [rule taskrouter.task.attributes-after-end] Judged on the task as the request found it: a request that
            // completes the task and sets its attributes together is one update.
            throw new TwilioError(400, 20001, "Task " + task.sid + " is " + task.status + "; its attributes can no longer be updated");
        }
        Integer priority = request.first("Priority") == null ? null : TaskRouterState.integer(request.first("Priority"), 0, "Priority");
        if (status != null) {
            String reason = request.first("Reason");
            switch (status) {
                case "canceled" -> {
                    if (!Set.of("pending", "reserved").contains(task.status)) {
                        throw new TwilioError(400, 20001, "Task " + task.sid + " is " + task.status + " and cannot be canceled; only pending or reserved tasks can");
                    }
                    cancelTask(task, reason == null ? "canceled via API" : reason);
                }
                case "wrapping" -> {
                    if (!task.status.equals("assigned")) {
                        throw new TwilioError(400, 20001, "Task " + task.sid + " is " + task.status + "; only an assigned task can move to wrapping");
                    }
                    wrapTask(task);
                }
                case "completed" -> {
                    if (!Set.of("assigned", "wrapping").contains(task.status)) {
                        throw new TwilioError(400, 20001, "Task " + task.sid + " is " + task.status + "; only an assigned or wrapping task can be completed");
                    }
                    completeTask(task, reason);
                }
                default -> throw new TwilioError(400, 20001, "AssignmentStatus cannot be set to " + status);
            }
        }
        if (attributes != null) {
            task.attributes = attributes;
            touch(task);
            world.taskRouterEvents.event("task.updated", task, null, Map.of());
            if (task.status.equals("pending")) {
                world.outbox.later("route " + task.sid, () -> world.workflows.route(task));
            }
        }
        if (priority != null && priority != task.priority) {
            task.priority = priority;
            touch(task);
            world.taskRouterEvents.event("task.updated", task, null, Map.of());
        }
        return withEtag(task);
    }

    Object deleteTask(TwilioSimulator.Call request) {
        Task task = task(request);
        checkIfMatch(request, task);
        if (Set.of("pending", "reserved").contains(task.status)) {
            cancelTask(task, "deleted");
        }
        tasks.remove(task.sid);
        world.taskRouterEvents.event("task.deleted", task, null, Map.of());
        return null;
    }

    // ---------------------------------------------------------------- tasks: life cycle

    /** A task for a caller who reached {@code <Enqueue workflowSid>}: the call's details are its attributes. */
    String enqueue(SimCall call, String workflowSid, String taskJson, String priority, String timeout) {
        if (!world.taskRouter.workflows().containsKey(workflowSid)) {
            world.alert(40003, "<Enqueue> names workflow " + workflowSid + ", which does not exist");
            return null;
        }
        ObjectNode attributes = Json.MAPPER.createObjectNode();
        if (taskJson != null && !taskJson.isBlank()) {
            try {
                JsonNode given = Json.parse(taskJson, "<Task>");
                if (given.isObject()) {
                    attributes.setAll((ObjectNode) given);
                }
            } catch (HttpError e) {
                world.alert(12100, "<Task> in <Enqueue> is not JSON: " + e.getMessage());
            }
        }
        // [rule taskrouter.enqueue.task-attributes]
        attributes.put("call_sid", call.sid);
        attributes.put("account_sid", world.accountSid);
        attributes.put("from", call.from);
        attributes.put("to", call.to);
        attributes.put("caller", call.from);
        attributes.put("called", call.to);
        attributes.put("direction", call.direction);
        Task task = newTask(attributes.toString(), workflowSid, VOICE_CHANNEL, TaskRouterState.integer(priority, 0, "priority"), TaskRouterState.integer(timeout, 86_400, "timeout"));
        task.callSid = call.sid;
        return task.sid;
    }

    private Task newTask(String attributes, String workflowSid, String channel, int priority, int timeout) {
        Task task = new Task(world);
        task.attributes = attributes;
        task.workflowSid = workflowSid;
        task.channel = channel;
        task.priority = priority;
        task.timeout = Math.max(1, timeout);
        tasks.put(task.sid, task);
        // [rule taskrouter.task.timeout]
        task.ttl = world.clock.after(Duration.ofSeconds(task.timeout), "timeout of task " + task.sid, () -> {
            if (Set.of("pending", "reserved").contains(task.status)) {
                cancelTask(task, "Task TTL Exceeded");
            } else if (task.status.equals("assigned") || task.status.equals("wrapping")) {
                completeTask(task, "Task TTL Exceeded");
            }
        });
        world.taskRouterEvents.event("task.created", task, null, Map.of());
        world.outbox.later("route " + task.sid, () -> world.workflows.route(task));
        return task;
    }

    private void cancelTask(Task task, String reason) {
        task.status = "canceled";
        task.reason = reason;
        touch(task);
        SimClock.cancel(task.ttl);
        for (Reservation reservation : world.reservations.reservationsOf(task)) {
            if (reservation.status.equals("pending")) {
                world.reservations.endReservation(reservation, "canceled");
                world.taskRouterEvents.event("reservation.canceled", task, reservation, Map.of());
            }
        }
        world.taskRouterEvents.event("task.canceled", task, null, Map.of("TaskCanceledReason", reason));
        // [rule voice.enqueue.leaves-on-task-end]
        // A caller still waiting for this task leaves the queue and goes on with its TwiML after <Enqueue>.
        SimCall call = task.callSid == null ? null : world.calls.find(task.callSid);
        if (call != null && call.live() && task.sid.equals(call.queuedTask)) {
            world.twiml.takeFromQueue(call);
            world.twiml.runTwiml(call, "<Response/>", call.documentUrl);
        }
        world.workflows.freed();
    }

    void wrapTask(Task task) {
        task.status = "wrapping";
        touch(task);
        for (Reservation reservation : world.reservations.reservationsOf(task)) {
            if (reservation.status.equals("accepted")) {
                reservation.status = "wrapping";
                reservation.updated = world.now();
                world.taskRouterEvents.event("reservation.wrapup", task, reservation, Map.of());
            }
        }
        world.taskRouterEvents.event("task.wrapup", task, null, Map.of());
    }

    void completeTask(Task task, String reason) {
        task.status = "completed";
        task.reason = reason;
        touch(task);
        SimClock.cancel(task.ttl);
        for (Reservation reservation : world.reservations.reservationsOf(task)) {
            if (Set.of("accepted", "wrapping").contains(reservation.status)) {
                reservation.status = "completed";
                reservation.updated = world.now();
                world.reservations.lastFree.put(reservation.workerSid, world.now());
                world.taskRouterEvents.event("reservation.completed", task, reservation, Map.of());
            } else if (reservation.status.equals("pending")) {
                world.reservations.endReservation(reservation, "canceled");
            }
        }
        world.taskRouterEvents.event("task.completed", task, null, reason == null ? Map.of() : Map.of("TaskCompletedReason", reason));
        world.workflows.freed();
    }

    // [rule taskrouter.task.caller-hangup-cancels]
    /** The caller hung up (or was taken away) while waiting: Twilio cancels the task. */
    void callerLeftQueue(String taskSid, SimCall call) {
        Task task = tasks.get(taskSid);
        if (task != null && Set.of("pending", "reserved").contains(task.status)) {
            cancelTask(task, "hangup");
        }
    }

    /**
     * The conference named by a task that the {@code conference} instruction connected has ended:
     * TaskRouter moves that task to wrapping, as it does when a conference-instruction call ends.
     */
    // [rule taskrouter.task.wrapping-on-conference-end]
    void conferenceEnded(String friendlyName) {
        Task task = tasks.get(friendlyName);
        if (task != null && task.connectedByConference && task.status.equals("assigned")) {
            wrapTask(task);
        }
    }

    // ---------------------------------------------------------------- JSON and lookups

    Task get(String taskSid) {
        return tasks.get(taskSid);
    }

    boolean contains(String taskSid) {
        return tasks.containsKey(taskSid);
    }

    /** Every task, in the order they were made. */
    Collection<Task> all() {
        return tasks.values();
    }

    /** Tasks with their reservations, for {@code GET /sim/tasks}. */
    List<Map<String, Object>> describe() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Task task : tasks.values()) {
            Map<String, Object> entry = taskJson(task);
            entry.put("reservations", world.reservations.reservationsOf(task).stream().map(world.reservations::reservationJson).toList());
            out.add(entry);
        }
        return out;
    }

    Task task(TwilioSimulator.Call request) {
        world.taskRouter.requireWorkspace(request.variable(1));
        Task task = tasks.get(request.variable(2));
        if (task == null) {
            throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
        }
        return task;
    }

    /** {@code If-Match} must name the task's current version (its ETag), or nothing changes. */
    static void checkIfMatch(TwilioSimulator.Call request, Task task) {
        String ifMatch = request.headers().get("if-match");
        if (ifMatch != null && task != null && !ifMatch.replace("\"", "").trim().equals(String.valueOf(task.version))) {
            throw new TwilioError(412, 20001, "If-Match " + ifMatch + " does not match the task's current version " + task.version);
        }
    }

    Object withEtag(Task task) {
        return new TwilioSimulator.Answered(200, taskJson(task), etag(task));
    }

    private static Map<String, String> etag(Task task) {
        return Map.of("ETag", String.valueOf(task.version));
    }

    void touch(Task task) {
        task.version++;
        task.updated = world.now();
    }

    private Map<String, Object> taskJson(Task task) {
        String url = "https://taskrouter.twilio.com/v1/Workspaces/" + world.taskRouter.workspaceSid() + "/Tasks/" + task.sid;
        Map<String, Object> queue = task.queueSid == null ? null : world.taskRouter.queues().get(task.queueSid);
        Map<String, Object> workflow = world.taskRouter.workflows().get(task.workflowSid);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("account_sid", world.accountSid);
        out.put("age", (int) Duration.between(task.created, world.now()).toSeconds());
        out.put("assignment_status", task.status);
        out.put("attributes", task.attributes);
        out.put("addons", "{}");
        out.put("date_created", task.created.toString());
        out.put("date_updated", task.updated.toString());
        out.put("task_queue_entered_date", task.queueSid == null ? null : task.queueEntered.toString());
        out.put("priority", task.priority);
        out.put("reason", task.reason);
        out.put("sid", task.sid);
        out.put("task_queue_sid", task.queueSid);
        out.put("task_queue_friendly_name", queue == null ? null : queue.get("friendly_name"));
        out.put("task_channel_sid", task.channel);
        out.put("task_channel_unique_name", CHANNELS.getOrDefault(task.channel, "default"));
        out.put("timeout", task.timeout);
        out.put("workflow_sid", task.workflowSid);
        out.put("workflow_friendly_name", workflow == null ? null : workflow.get("friendly_name"));
        out.put("workspace_sid", world.taskRouter.workspaceSid());
        out.put("url", url);
        out.put("links", Map.of("reservations", url + "/Reservations"));
        out.put("virtual_start_time", task.created.toString());
        out.put("ignore_capacity", false);
        out.put("routing_target", null);
        return out;
    }

    private static String channel(String value) {
        if (value == null || value.isBlank() || value.equals("default") || value.equals(DEFAULT_CHANNEL)) {
            return DEFAULT_CHANNEL;
        }
        if (value.equals("voice") || value.equals(VOICE_CHANNEL)) {
            return VOICE_CHANNEL;
        }
        throw new TwilioError(400, 20001, "TaskChannel " + value + " does not exist in this workspace (voice or default)");
    }
}
