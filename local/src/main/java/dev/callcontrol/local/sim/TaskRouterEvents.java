package dev.callcontrol.local.sim;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TaskRouter's event callbacks: each task, reservation, queue and worker event is posted to the
 * workspace's {@code EventCallbackUrl}, when its {@code EventsFilter} (if any) names the event type,
 * with the event's fields (https://www.twilio.com/docs/taskrouter/api/event/reference). A failed
 * delivery raises an alert. Every method runs under the world's lock.
 */
final class TaskRouterEvents {
    private final SimWorld world;

    TaskRouterEvents(SimWorld world) {
        this.world = world;
    }

    void event(String type, Task task, Reservation reservation, Map<String, String> extra) {
        // [rule taskrouter.events.callback]
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
            parameters.put("TaskChannelUniqueName", Tasks.CHANNELS.getOrDefault(task.channel, "default"));
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
        world.outbox.sendEvent(Outbox.Sender.TASKROUTER, "TaskRouter event " + type, "POST", url, parameters, Duration.ofSeconds(15), response -> {
            if (!response.ok()) {
                world.alert(40134, "TaskRouter event " + type + " to " + url + " failed: " + response.describe());
            }
        });
    }
}
