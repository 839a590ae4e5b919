package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * TaskRouter's moving parts: tasks, workflow routing to workers, reservations with timeouts, the
 * signed assignment callback and the instructions it returns ({@code conference}, {@code call},
 * {@code dequeue}, {@code redirect}, {@code accept}, {@code reject}), the same instructions given
 * through the REST API, and the workspace's event callbacks. Every method runs under the world's lock.
 */
final class Routing {
    private static final String SID = "([A-Z]{2}[0-9a-fA-F]{32})";
    /** TaskRouter allows the assignment callback five seconds (https://www.twilio.com/docs/taskrouter/handle-assignment-callbacks). */
    private static final Duration ASSIGNMENT_TIMEOUT = Duration.ofSeconds(5);
    static final String VOICE_CHANNEL = "TC00000000000000000000000000000001";
    static final String DEFAULT_CHANNEL = "TC00000000000000000000000000000002";
    private static final Map<String, String> CHANNELS = Map.of(VOICE_CHANNEL, "voice", DEFAULT_CHANNEL, "default");

    final class Task {
        final String sid = world.sid("WT");
        final Instant created = world.now();
        Instant updated = created;
        Instant queueEntered = created;
        String status = "pending";
        String attributes;
        int priority;
        int timeout;
        String reason;
        String queueSid;
        String workflowSid;
        String channel;
        String callSid;
        int version;
        boolean connectedByConference;
        final Set<String> rejectedBy = new HashSet<>();
        SimClock.Timer ttl;
    }

    final class Reservation {
        final String sid = world.sid("WR");
        final String taskSid;
        final String workerSid;
        final Instant created = world.now();
        Instant updated = created;
        String status = "pending";
        SimClock.Timer timer;
        String workerCallSid;
        boolean callbackFallbackTried;

        Reservation(String taskSid, String workerSid) {
            this.taskSid = taskSid;
            this.workerSid = workerSid;
        }
    }

    private final SimWorld world;
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final Map<String, Reservation> reservations = new LinkedHashMap<>();
    private final Map<String, Instant> lastFree = new HashMap<>();

    Routing(SimWorld world) {
        this.world = world;
    }

    void register(TwilioSimulator simulator) {
        String ws = "/v1/Workspaces/" + SID;
        simulator.route("POST", ws + "/Tasks", this::createTask);
        simulator.route("GET", ws + "/Tasks", this::listTasks);
        simulator.route("GET", ws + "/Tasks/" + SID, request -> withEtag(task(request)));
        simulator.route("POST", ws + "/Tasks/" + SID, this::updateTask);
        simulator.route("DELETE", ws + "/Tasks/" + SID, this::deleteTask);
        simulator.route("GET", ws + "/Tasks/" + SID + "/Reservations", request -> {
            Task task = task(request);
            String status = request.first("ReservationStatus");
            String worker = request.first("WorkerSid");
            return TaskRouterState.page(request, "reservations", reservations.values().stream().filter(r -> r.taskSid.equals(task.sid))
                    .filter(r -> status == null || status.equals(r.status)).filter(r -> worker == null || worker.equals(r.workerSid))
                    .map(this::reservationJson).toList());
        });
        simulator.route("GET", ws + "/Tasks/" + SID + "/Reservations/" + SID, request -> reservationJson(reservation(request, task(request).sid, null)));
        simulator.route("POST", ws + "/Tasks/" + SID + "/Reservations/" + SID, request -> updateReservation(request, reservation(request, task(request).sid, null)));
        simulator.route("GET", ws + "/Workers/" + SID + "/Reservations", request -> {
            requireWorkspace(request);
            String status = request.first("ReservationStatus");
            return TaskRouterState.page(request, "reservations", reservations.values().stream().filter(r -> r.workerSid.equals(request.variable(2)))
                    .filter(r -> status == null || status.equals(r.status)).map(this::reservationJson).toList());
        });
        simulator.route("GET", ws + "/Workers/" + SID + "/Reservations/" + SID,
                request -> reservationJson(reservation(request, null, request.variable(2))));
        simulator.route("POST", ws + "/Workers/" + SID + "/Reservations/" + SID,
                request -> updateReservation(request, reservation(request, null, request.variable(2))));
    }

    // ---------------------------------------------------------------- REST: tasks

    private Object createTask(TwilioSimulator.Call request) {
        requireWorkspace(request);
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

    private Object listTasks(TwilioSimulator.Call request) {
        requireWorkspace(request);
        List<String> statuses = request.parameters().get("AssignmentStatus");
        String workflow = request.first("WorkflowSid");
        String queue = request.first("TaskQueueSid");
        String evaluate = request.first("EvaluateTaskAttributes");
        return TaskRouterState.page(request, "tasks", tasks.values().stream()
                .filter(t -> statuses == null || statuses.stream().flatMap(s -> List.of(s.split(",")).stream()).anyMatch(s -> s.trim().equals(t.status)))
                .filter(t -> workflow == null || workflow.equals(t.workflowSid))
                .filter(t -> queue == null || queue.equals(t.queueSid))
                .filter(t -> evaluate == null || matches(evaluate, "task", Map.of("task", Json.parse(t.attributes, "attributes"))))
                .map(this::taskJson).toList());
    }

    private Object updateTask(TwilioSimulator.Call request) {
        Task task = task(request);
        checkIfMatch(request, task);
        String status = request.first("AssignmentStatus");
        String attributes = request.first("Attributes") == null ? null : TaskRouterState.jsonObject(request.first("Attributes"), "Attributes");
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
            event("task.updated", task, null, Map.of());
            if (task.status.equals("pending")) {
                world.outbox.later("route " + task.sid, () -> route(task));
            }
        }
        if (priority != null && priority != task.priority) {
            task.priority = priority;
            touch(task);
            event("task.updated", task, null, Map.of());
        }
        return withEtag(task);
    }

    private Object deleteTask(TwilioSimulator.Call request) {
        Task task = task(request);
        checkIfMatch(request, task);
        if (Set.of("pending", "reserved").contains(task.status)) {
            cancelTask(task, "deleted");
        }
        tasks.remove(task.sid);
        event("task.deleted", task, null, Map.of());
        return null;
    }

    private Object updateReservation(TwilioSimulator.Call request, Reservation reservation) {
        checkIfMatch(request, tasks.get(reservation.taskSid));
        String status = request.first("ReservationStatus");
        String instruction = request.first("Instruction");
        if (instruction != null) {
            requirePending(reservation);
            instruct(reservation, instructionFromParameters(instruction, request), "REST API");
        } else if (status != null) {
            switch (status) {
                case "accepted" -> {
                    requirePending(reservation);
                    accept(reservation);
                }
                case "rejected" -> {
                    requirePending(reservation);
                    reject(reservation, request.first("WorkerActivitySid"));
                }
                case "wrapping" -> {
                    if (!reservation.status.equals("accepted")) {
                        throw new TwilioError(400, 20001, "Reservation " + reservation.sid + " is " + reservation.status + ", not accepted");
                    }
                    wrapTask(tasks.get(reservation.taskSid));
                }
                case "completed" -> {
                    if (!Set.of("accepted", "wrapping").contains(reservation.status)) {
                        throw new TwilioError(400, 20001, "Reservation " + reservation.sid + " is " + reservation.status + ", not accepted or wrapping");
                    }
                    completeTask(tasks.get(reservation.taskSid), null);
                }
                default -> throw new TwilioError(400, 20001, "ReservationStatus cannot be set to " + status);
            }
        }
        if (request.first("WorkerActivitySid") != null && !"rejected".equals(status)) {
            world.taskRouter.changeActivity(world.taskRouter.workers().get(reservation.workerSid), request.first("WorkerActivitySid"));
        }
        return reservationJson(reservation);
    }

    private void requirePending(Reservation reservation) {
        if (!reservation.status.equals("pending")) {
            throw new TwilioError(400, 20001, "Reservation " + reservation.sid + " is " + reservation.status + " and no longer pending");
        }
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
        Task task = new Task();
        task.attributes = attributes;
        task.workflowSid = workflowSid;
        task.channel = channel;
        task.priority = priority;
        task.timeout = Math.max(1, timeout);
        tasks.put(task.sid, task);
        task.ttl = world.clock.after(Duration.ofSeconds(task.timeout), "timeout of task " + task.sid, () -> {
            if (Set.of("pending", "reserved").contains(task.status)) {
                cancelTask(task, "Task TTL Exceeded");
            } else if (task.status.equals("assigned") || task.status.equals("wrapping")) {
                completeTask(task, "Task TTL Exceeded");
            }
        });
        event("task.created", task, null, Map.of());
        world.outbox.later("route " + task.sid, () -> route(task));
        return task;
    }

    private void cancelTask(Task task, String reason) {
        task.status = "canceled";
        task.reason = reason;
        touch(task);
        SimClock.cancel(task.ttl);
        for (Reservation reservation : reservationsOf(task)) {
            if (reservation.status.equals("pending")) {
                endReservation(reservation, "canceled");
                event("reservation.canceled", task, reservation, Map.of());
            }
        }
        event("task.canceled", task, null, Map.of("TaskCanceledReason", reason));
        // A caller still waiting for this task leaves the queue and goes on with its TwiML after <Enqueue>.
        SimCall call = task.callSid == null ? null : world.calls.find(task.callSid);
        if (call != null && call.live() && task.sid.equals(call.queuedTask)) {
            world.twiml.takeFromQueue(call);
            world.twiml.runTwiml(call, "<Response/>", call.documentUrl);
        }
        freed();
    }

    private void wrapTask(Task task) {
        task.status = "wrapping";
        touch(task);
        for (Reservation reservation : reservationsOf(task)) {
            if (reservation.status.equals("accepted")) {
                reservation.status = "wrapping";
                reservation.updated = world.now();
                event("reservation.wrapup", task, reservation, Map.of());
            }
        }
        event("task.wrapup", task, null, Map.of());
    }

    private void completeTask(Task task, String reason) {
        task.status = "completed";
        task.reason = reason;
        touch(task);
        SimClock.cancel(task.ttl);
        for (Reservation reservation : reservationsOf(task)) {
            if (Set.of("accepted", "wrapping").contains(reservation.status)) {
                reservation.status = "completed";
                reservation.updated = world.now();
                lastFree.put(reservation.workerSid, world.now());
                event("reservation.completed", task, reservation, Map.of());
            } else if (reservation.status.equals("pending")) {
                endReservation(reservation, "canceled");
            }
        }
        event("task.completed", task, null, reason == null ? Map.of() : Map.of("TaskCompletedReason", reason));
        freed();
    }

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
    void conferenceEnded(String friendlyName) {
        Task task = tasks.get(friendlyName);
        if (task != null && task.connectedByConference && task.status.equals("assigned")) {
            wrapTask(task);
        }
    }

    /** A worker's activity or attributes changed: waiting tasks may now fit. */
    void workerChanged(Map<String, Object> worker) {
        event("worker.activity.update", null, null, Map.of("WorkerSid", (String) worker.get("sid")));
        freed();
    }

    private void freed() {
        world.outbox.later("route waiting tasks", this::routeWaiting);
    }

    private void routeWaiting() {
        tasks.values().stream().filter(t -> t.status.equals("pending"))
                .sorted(Comparator.comparingInt((Task t) -> -t.priority).thenComparing(t -> t.created))
                .toList().forEach(this::route);
    }

    // ---------------------------------------------------------------- routing

    /** Evaluates the task's workflow and reserves the first fitting worker, or leaves the task waiting in its queue. */
    private void route(Task task) {
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
                reserve(task, worker);
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
            event("task-queue.entered", task, null, Map.of());
        }
    }

    private Map<String, Object> pick(Task task, Map<String, Object> queue, JsonNode target, JsonNode taskAttributes) {
        String known = target.has("known_worker_sid") ? resolveKnown(target.path("known_worker_sid").asText(), taskAttributes) : null;
        if (target.has("known_worker_sid") && known == null) {
            return null;
        }
        String knownName = target.has("known_worker_friendly_name") ? resolveKnown(target.path("known_worker_friendly_name").asText(), taskAttributes) : null;
        List<Map<String, Object>> candidates = new ArrayList<>();
        for (Map<String, Object> worker : world.taskRouter.workers().values()) {
            if (!Boolean.TRUE.equals(worker.get("available")) || task.rejectedBy.contains(worker.get("sid")) || busy(worker, task.channel)) {
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
        return candidates.stream().min(Comparator.comparing(w -> lastFree.getOrDefault((String) w.get("sid"), Instant.EPOCH))).orElse(null);
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

    /** A worker holds one task per channel: a pending, accepted or wrapping reservation fills it. */
    private boolean busy(Map<String, Object> worker, String channel) {
        return reservations.values().stream().anyMatch(r -> r.workerSid.equals(worker.get("sid"))
                && Set.of("pending", "accepted", "wrapping").contains(r.status)
                && tasks.containsKey(r.taskSid) && channel.equals(tasks.get(r.taskSid).channel));
    }

    private void reserve(Task task, Map<String, Object> worker) {
        Reservation reservation = new Reservation(task.sid, (String) worker.get("sid"));
        reservations.put(reservation.sid, reservation);
        task.status = "reserved";
        touch(task);
        Map<String, Object> workflow = world.taskRouter.workflows().get(task.workflowSid);
        int timeout = ((Number) workflow.getOrDefault("task_reservation_timeout", 120)).intValue();
        reservation.timer = world.clock.after(Duration.ofSeconds(timeout), "reservation " + reservation.sid + " of " + worker.get("friendly_name") + " times out",
                () -> timeOut(reservation));
        event("reservation.created", task, reservation, Map.of());
        String url = (String) workflow.get("assignment_callback_url");
        if (url != null && !url.isBlank()) {
            assignmentCallback(reservation, url, (String) workflow.get("fallback_assignment_callback_url"));
        }
    }

    private void assignmentCallback(Reservation reservation, String url, String fallback) {
        Task task = tasks.get(reservation.taskSid);
        Map<String, Object> worker = world.taskRouter.workers().get(reservation.workerSid);
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("AccountSid", world.accountSid);
        parameters.put("WorkspaceSid", world.taskRouter.workspaceSid());
        parameters.put("WorkflowSid", task.workflowSid);
        parameters.put("TaskQueueSid", task.queueSid);
        parameters.put("WorkerSid", reservation.workerSid);
        parameters.put("WorkerAttributes", (String) worker.get("attributes"));
        parameters.put("TaskSid", task.sid);
        parameters.put("TaskAttributes", task.attributes);
        parameters.put("TaskAge", String.valueOf(Duration.between(task.created, world.now()).toSeconds()));
        parameters.put("TaskPriority", String.valueOf(task.priority));
        parameters.put("ReservationSid", reservation.sid);
        parameters.put("Timestamp", String.valueOf(world.now().getEpochSecond()));
        world.outbox.send("assignment callback for " + task.sid, "POST", url, parameters, ASSIGNMENT_TIMEOUT, response -> {
            if (!reservation.status.equals("pending")) {
                return;
            }
            if (!response.ok()) {
                world.alert(40130, "Assignment callback " + url + " failed: " + response.describe()
                        + (response.body() == null || response.body().isBlank() ? "" : ": " + response.body()));
                if (fallback != null && !fallback.isBlank() && !reservation.callbackFallbackTried) {
                    reservation.callbackFallbackTried = true;
                    assignmentCallback(reservation, fallback, null);
                }
                return;
            }
            String body = response.body() == null ? "" : response.body().trim();
            if (body.isEmpty()) {
                return;
            }
            if (response.contentType() == null || !response.contentType().startsWith("application/json")) {
                world.alert(40131, "Assignment callback " + url + " answered with Content-Type " + response.contentType() + ", not application/json");
                return;
            }
            JsonNode instruction;
            try {
                instruction = Json.parse(body, "the assignment instruction");
            } catch (HttpError e) {
                world.alert(40131, "Assignment callback " + url + " answered invalid JSON: " + e.getMessage());
                return;
            }
            if (instruction.isObject() && instruction.has("instruction")) {
                instruct(reservation, instruction, "assignment callback");
            }
        });
    }

    // ---------------------------------------------------------------- instructions

    private void instruct(Reservation reservation, JsonNode instruction, String source) {
        String name = instruction.path("instruction").asText("");
        switch (name) {
            case "accept" -> accept(reservation);
            case "reject" -> reject(reservation, instruction.path("activity_sid").asText(null));
            case "conference" -> conference(reservation, instruction);
            case "call" -> call(reservation, instruction);
            case "dequeue" -> dequeue(reservation, instruction);
            case "redirect" -> redirect(reservation, instruction);
            default -> {
                if ("REST API".equals(source)) {
                    throw new TwilioError(400, 20001, "Unknown instruction " + name);
                }
                world.alert(40001, "Unknown assignment instruction '" + name + "' from the " + source);
            }
        }
    }

    /**
     * The {@code conference} instruction: ring the worker; when they answer, accept the
     * reservation, put the worker and then the caller into a conference named by the task SID,
     * and record both call SIDs in the task's attributes.
     */
    private void conference(Reservation reservation, JsonNode instruction) {
        Task task = tasks.get(reservation.taskSid);
        String outboundTo = Json.parse(task.attributes, "attributes").path("outbound_to").asText(null);
        SimCall customer = callerOf(task);
        if (customer == null && outboundTo == null) {
            world.alert(40142, "Conference instruction for " + reservation.sid + ": task " + task.sid + " has neither call_sid nor outbound_to");
            return;
        }
        if (outboundTo == null && (!customer.live() || customer.queuedTask == null)) {
            world.alert(40144, "Reservation " + reservation.sid + ": the caller of " + task.sid + " is no longer waiting (conference instruction)");
            return;
        }
        String from = instruction.path("from").asText(null);
        if (from == null || from.isBlank()) {
            // TaskRouter refuses a conference instruction without a caller ID.
            world.alert(40138, "Conference instruction for " + reservation.sid + " has no 'from'");
            return;
        }
        String to = instruction.path("to").asText(null);
        if (to == null) {
            to = contactUri(reservation.workerSid);
        }
        if (to == null) {
            world.alert(40139, "Conference instruction for " + reservation.sid + " has no 'to' and the worker has no contact_uri");
            return;
        }
        Callback callback = Voice.callback(instruction.path("conference_status_callback").asText(null),
                instruction.path("conference_status_callback_method").asText(null), events(instruction.path("conference_status_callback_event"), Set.of("start", "end")));
        String waitUrl = instruction.has("wait_url") ? instruction.path("wait_url").asText() : null;
        boolean beep = instruction.path("beep").asBoolean(true);
        JoinSpec workerSpec = new JoinSpec(null, instruction.path("muted").asBoolean(false), beep,
                instruction.path("start_conference_on_enter").asBoolean(true), instruction.path("end_conference_on_exit").asBoolean(false),
                false, null, waitUrl, Voice.method(instruction.path("wait_method").asText(null), "POST"), callback);
        JoinSpec customerSpec = new JoinSpec(null, false, instruction.path("beep_on_customer_entrance").asBoolean(beep), true,
                instruction.path("end_conference_on_customer_exit").asBoolean(false), false, null, waitUrl,
                Voice.method(instruction.path("wait_method").asText(null), "POST"), callback);
        SimCall agent = world.calls.newCall(from, to, "outbound-api", null);
        agent.statusCallback = Voice.callback(instruction.path("status_callback").asText(null), instruction.path("status_callback_method").asText(null),
                events(instruction.path("status_callback_event"), Set.of("completed")));
        reservation.workerCallSid = agent.sid;
        String callerId = from;
        agent.onAnswer = () -> {
            if (!reservation.status.equals("pending") || (outboundTo == null && !customer.live())) {
                world.calls.end(agent, "completed");
                return;
            }
            accept(reservation);
            task.connectedByConference = true;
            Conference conference = world.conferences.conferenceNamed(task.sid);
            world.conferences.join(agent, conference, world.participants.newParticipant(conference, agent), workerSpec);
            SimCall customerLeg;
            if (outboundTo != null) {
                // Outbound (outbound_to): with the worker in the conference, TaskRouter dials the customer into it.
                customerLeg = world.calls.newCall(callerId, outboundTo, "outbound-api", null);
                customerLeg.onAnswer = () -> {
                    if (conference.active()) {
                        world.conferences.join(customerLeg, conference, world.participants.newParticipant(conference, customerLeg), customerSpec);
                    } else {
                        world.calls.end(customerLeg, "completed");
                    }
                };
                world.calls.ring(customerLeg, instruction.path("timeout").asInt(60));
            } else {
                customerLeg = customer;
                world.twiml.takeFromQueue(customer);
                world.conferences.join(customer, conference, world.participants.newParticipant(conference, customer), customerSpec);
            }
            ObjectNode attributes = (ObjectNode) Json.parse(task.attributes, "attributes");
            ObjectNode conferenceNode = attributes.putObject("conference");
            conferenceNode.put("sid", conference.sid);
            ObjectNode participants = conferenceNode.putObject("participants");
            participants.put("worker", agent.sid);
            participants.put("customer", customerLeg.sid);
            task.attributes = attributes.toString();
            touch(task);
            event("task.updated", task, null, Map.of());
        };
        agent.onUnanswered = status -> workerLegFailed(reservation, status);
        world.calls.ring(agent, instruction.path("timeout").asInt(60));
    }

    /** The {@code call} instruction: ring {@code to} and run {@code url} when answered; {@code accept} accepts the reservation on answer. */
    private void call(Reservation reservation, JsonNode instruction) {
        String url = instruction.path("url").asText(null);
        String from = instruction.path("from").asText(null);
        String to = instruction.path("to").asText(contactUri(reservation.workerSid));
        if (url == null || from == null || to == null) {
            world.alert(40114, "Call instruction for " + reservation.sid + " needs url, from and to (or a worker contact_uri)");
            return;
        }
        boolean accept = instruction.path("accept").asBoolean(false);
        SimCall leg = world.calls.newCall(from, to, "outbound-api", null);
        leg.statusCallback = Voice.callback(instruction.path("status_callback_url").asText(null), "POST", Set.of("completed"));
        reservation.workerCallSid = leg.sid;
        leg.onAnswer = () -> {
            if (accept && reservation.status.equals("pending")) {
                accept(reservation);
            }
            world.twiml.fetchAndRun(leg, url, "POST", Map.of());
        };
        leg.onUnanswered = status -> workerLegFailed(reservation, status);
        world.calls.ring(leg, instruction.path("timeout").asInt(60));
    }

    /** The {@code dequeue} instruction: ring the worker and bridge the waiting caller straight to them. */
    private void dequeue(Reservation reservation, JsonNode instruction) {
        Task task = tasks.get(reservation.taskSid);
        SimCall customer = callerOf(task);
        if (customer == null || !customer.live() || customer.queuedTask == null) {
            world.alert(40140, "Reservation " + reservation.sid + ": the caller of " + task.sid + " is no longer waiting (dequeue instruction)");
            return;
        }
        String from = instruction.path("from").asText(null);
        String to = instruction.path("to").asText(contactUri(reservation.workerSid));
        if (from == null || to == null) {
            world.alert(40140, "Dequeue instruction for " + reservation.sid + " needs from and to (or a worker contact_uri)");
            return;
        }
        SimCall agent = world.calls.newCall(from, to, "outbound-api", null);
        agent.statusCallback = Voice.callback(instruction.path("status_callback_url").asText(null), "POST",
                events(instruction.path("status_callback_events"), Set.of("completed")));
        reservation.workerCallSid = agent.sid;
        agent.onAnswer = () -> {
            if (!reservation.status.equals("pending") || !customer.live()) {
                world.calls.end(agent, "completed");
                return;
            }
            accept(reservation);
            world.twiml.bridge(customer, agent);
        };
        agent.onUnanswered = status -> workerLegFailed(reservation, status);
        world.calls.ring(agent, instruction.path("timeout").asInt(60));
    }

    /** The {@code redirect} instruction: the call (usually the waiting caller) runs new TwiML. */
    private void redirect(Reservation reservation, JsonNode instruction) {
        String callSid = instruction.path("call_sid").asText(null);
        String url = instruction.path("url").asText(null);
        SimCall call = callSid == null ? null : world.calls.find(callSid);
        if (call == null || !call.live() || url == null) {
            world.alert(40150, "Redirect instruction for " + reservation.sid + " needs a live call_sid and a url");
            return;
        }
        world.twiml.takeFromQueue(call);
        world.twiml.redirect(call, url, "POST");
        if (instruction.path("accept").asBoolean(false)) {
            accept(reservation);
        }
    }

    private void workerLegFailed(Reservation reservation, String status) {
        if (!reservation.status.equals("pending")) {
            return;
        }
        if (status.equals("no-answer")) {
            timeOut(reservation);
        } else if (!status.equals("canceled")) {
            reject(reservation, null);
        }
    }

    private void accept(Reservation reservation) {
        Task task = tasks.get(reservation.taskSid);
        SimClock.cancel(reservation.timer);
        reservation.status = "accepted";
        reservation.updated = world.now();
        task.status = "assigned";
        touch(task);
        event("reservation.accepted", task, reservation, Map.of());
    }

    /** The worker declined: the task goes back to routing, and is not offered to this worker again. */
    private void reject(Reservation reservation, String activitySid) {
        Task task = tasks.get(reservation.taskSid);
        endReservation(reservation, "rejected");
        task.rejectedBy.add(reservation.workerSid);
        if (activitySid != null) {
            world.taskRouter.changeActivity(world.taskRouter.workers().get(reservation.workerSid), activitySid);
        }
        event("reservation.rejected", task, reservation, Map.of());
        requeue(task);
    }

    /** Nobody answered in time: the worker moves to the workspace's timeout activity and the task is routed again. */
    private void timeOut(Reservation reservation) {
        if (!reservation.status.equals("pending")) {
            return;
        }
        Task task = tasks.get(reservation.taskSid);
        endReservation(reservation, "timeout");
        event("reservation.timeout", task, reservation, Map.of());
        world.taskRouter.changeActivity(world.taskRouter.workers().get(reservation.workerSid), world.taskRouter.timeoutActivitySid());
        requeue(task);
    }

    private void requeue(Task task) {
        if (task.status.equals("reserved")) {
            task.status = "pending";
            touch(task);
            world.outbox.later("route " + task.sid, () -> route(task));
        }
    }

    private void endReservation(Reservation reservation, String status) {
        SimClock.cancel(reservation.timer);
        reservation.status = status;
        reservation.updated = world.now();
        lastFree.put(reservation.workerSid, world.now());
        SimCall leg = reservation.workerCallSid == null ? null : world.calls.find(reservation.workerCallSid);
        if (leg != null && leg.live() && !leg.status.equals("in-progress")) {
            world.calls.unanswered(leg, "canceled");
        }
    }

    private SimCall callerOf(Task task) {
        String callSid = task.callSid;
        if (callSid == null) {
            callSid = Json.parse(task.attributes, "attributes").path("call_sid").asText(null);
        }
        return callSid == null ? null : world.calls.find(callSid);
    }

    private String contactUri(String workerSid) {
        Map<String, Object> worker = world.taskRouter.workers().get(workerSid);
        return worker == null ? null : Json.parse((String) worker.get("attributes"), "attributes").path("contact_uri").asText(null);
    }

    /** REST instruction parameters, named as the assignment callback's JSON names them. */
    private static JsonNode instructionFromParameters(String instruction, TwilioSimulator.Call request) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("instruction", instruction.toLowerCase(Locale.ROOT));
        Map<String, String> prefixes = Map.of("conference", "", "dequeue", "Dequeue", "call", "Call", "redirect", "Redirect");
        String prefix = prefixes.getOrDefault(instruction.toLowerCase(Locale.ROOT), "");
        request.parameters().forEach((name, values) -> {
            if (name.equals("Instruction") || values.isEmpty()) {
                return;
            }
            String key = name.startsWith(prefix) && !prefix.isEmpty() ? name.substring(prefix.length()) : name;
            String snake = key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
            if (snake.equals("status_callback_url")) {
                out.put("status_callback_url", values.get(0));
            } else if (values.size() > 1 || snake.endsWith("_event")) {
                out.put(snake, String.join(",", values));
            } else {
                out.put(snake, values.get(0));
            }
        });
        if (instruction.equalsIgnoreCase("conference")) {
            for (String flag : List.of("end_conference_on_exit", "start_conference_on_enter", "beep", "muted", "end_conference_on_customer_exit", "early_media")) {
                if (out.has(flag)) {
                    out.put(flag, Boolean.parseBoolean(out.get(flag).asText()));
                }
            }
        }
        if (out.has("accept")) {
            out.put("accept", Boolean.parseBoolean(out.get("accept").asText()));
        }
        if (out.has("timeout")) {
            try {
                out.put("timeout", Integer.parseInt(out.get("timeout").asText()));
            } catch (NumberFormatException e) {
                throw new TwilioError(400, 20001, "Timeout must be an integer");
            }
        }
        return out;
    }

    private static Set<String> events(JsonNode node, Set<String> fallback) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(item -> values.add(item.asText()));
        } else {
            values.add(node.asText());
        }
        return Voice.events(values, fallback);
    }

    // ---------------------------------------------------------------- events

    private void event(String type, Task task, Reservation reservation, Map<String, String> extra) {
        if (!world.taskRouter.wantsEvent(type)) {
            return;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("AccountSid", world.accountSid);
        parameters.put("WorkspaceSid", world.taskRouter.workspaceSid());
        parameters.put("Sid", world.sid("EV"));
        parameters.put("EventType", type);
        parameters.put("EventDescription", type);
        parameters.put("Timestamp", String.valueOf(world.now().getEpochSecond()));
        parameters.put("TimestampMs", String.valueOf(world.now().toEpochMilli()));
        String resourceType = type.substring(0, type.indexOf('.'));
        parameters.put("ResourceType", resourceType.equals("task-queue") ? "taskqueue" : resourceType);
        if (task != null) {
            parameters.put("ResourceSid", reservation != null ? reservation.sid : task.sid);
            parameters.put("TaskSid", task.sid);
            parameters.put("TaskAttributes", task.attributes);
            parameters.put("TaskAssignmentStatus", task.status);
            parameters.put("TaskPriority", String.valueOf(task.priority));
            parameters.put("TaskAge", String.valueOf(Duration.between(task.created, world.now()).toSeconds()));
            parameters.put("TaskChannelUniqueName", CHANNELS.getOrDefault(task.channel, "default"));
            parameters.put("WorkflowSid", task.workflowSid);
            if (task.queueSid != null) {
                parameters.put("TaskQueueSid", task.queueSid);
            }
        }
        String workerSid = reservation != null ? reservation.workerSid : extra.get("WorkerSid");
        Map<String, Object> worker = workerSid == null ? null : world.taskRouter.workers().get(workerSid);
        if (worker != null) {
            parameters.put("WorkerSid", workerSid);
            parameters.put("WorkerName", (String) worker.get("friendly_name"));
            parameters.put("WorkerAttributes", (String) worker.get("attributes"));
            parameters.put("WorkerActivitySid", (String) worker.get("activity_sid"));
            parameters.put("WorkerActivityName", (String) worker.get("activity_name"));
            if (task == null) {
                parameters.put("ResourceSid", workerSid);
            }
        }
        if (reservation != null) {
            parameters.put("ReservationSid", reservation.sid);
        }
        parameters.putAll(extra);
        String url = world.taskRouter.eventCallbackUrl();
        world.outbox.sendEvent("TaskRouter event " + type, "POST", url, parameters, Duration.ofSeconds(15), response -> {
            if (!response.ok()) {
                world.alert(40134, "TaskRouter event " + type + " to " + url + " failed: " + response.describe());
            }
        });
    }

    // ---------------------------------------------------------------- JSON and lookups

    /** Tasks with their reservations, for {@code GET /sim/tasks}. */
    List<Map<String, Object>> describe() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Task task : tasks.values()) {
            Map<String, Object> entry = taskJson(task);
            entry.put("reservations", reservationsOf(task).stream().map(this::reservationJson).toList());
            out.add(entry);
        }
        return out;
    }

    /** The tasks a worker holds (pending, accepted or wrapping reservations), for the directory. */
    List<String> tasksOf(String workerSid) {
        return reservations.values().stream().filter(r -> r.workerSid.equals(workerSid) && Set.of("pending", "accepted", "wrapping").contains(r.status))
                .map(r -> r.taskSid).distinct().toList();
    }

    private List<Reservation> reservationsOf(Task task) {
        return reservations.values().stream().filter(r -> r.taskSid.equals(task.sid)).toList();
    }

    private Task task(TwilioSimulator.Call request) {
        requireWorkspace(request);
        Task task = tasks.get(request.variable(2));
        if (task == null) {
            throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
        }
        return task;
    }

    private Reservation reservation(TwilioSimulator.Call request, String taskSid, String workerSid) {
        requireWorkspace(request);
        Reservation reservation = reservations.get(request.variable(3));
        if (reservation == null || (taskSid != null && !taskSid.equals(reservation.taskSid)) || (workerSid != null && !workerSid.equals(reservation.workerSid))) {
            throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
        }
        return reservation;
    }

    private void requireWorkspace(TwilioSimulator.Call request) {
        if (!world.taskRouter.workspaceSid().equals(request.variable(1))) {
            throw new TwilioError(404, 20404, "The requested Workspace " + request.variable(1) + " was not found");
        }
    }

    /** {@code If-Match} must name the task's current version (its ETag), or nothing changes. */
    private static void checkIfMatch(TwilioSimulator.Call request, Task task) {
        String ifMatch = request.headers().get("if-match");
        if (ifMatch != null && task != null && !ifMatch.replace("\"", "").trim().equals(String.valueOf(task.version))) {
            throw new TwilioError(412, 20001, "If-Match " + ifMatch + " does not match the task's current version " + task.version);
        }
    }

    private Object withEtag(Task task) {
        return new TwilioSimulator.Answered(200, taskJson(task), etag(task));
    }

    private static Map<String, String> etag(Task task) {
        return Map.of("ETag", String.valueOf(task.version));
    }

    private void touch(Task task) {
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

    private Map<String, Object> reservationJson(Reservation reservation) {
        Map<String, Object> worker = world.taskRouter.workers().get(reservation.workerSid);
        String url = "https://taskrouter.twilio.com/v1/Workspaces/" + world.taskRouter.workspaceSid() + "/Tasks/" + reservation.taskSid
                + "/Reservations/" + reservation.sid;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("account_sid", world.accountSid);
        out.put("date_created", reservation.created.toString());
        out.put("date_updated", reservation.updated.toString());
        out.put("reservation_status", reservation.status);
        out.put("sid", reservation.sid);
        out.put("task_sid", reservation.taskSid);
        out.put("worker_name", worker == null ? null : worker.get("friendly_name"));
        out.put("worker_sid", reservation.workerSid);
        out.put("workspace_sid", world.taskRouter.workspaceSid());
        out.put("url", url);
        out.put("links", Map.of());
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

    private boolean matches(String expression, String subject, Map<String, JsonNode> scopes) {
        try {
            return Expression.matches(expression, subject, scopes);
        } catch (Expression.Invalid e) {
            world.alert(40001, "Invalid expression: " + e.getMessage());
            return false;
        }
    }

}
