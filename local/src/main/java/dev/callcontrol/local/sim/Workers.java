package dev.callcontrol.local.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

import static dev.callcontrol.local.sim.TaskRouterState.jsonObject;
import static dev.callcontrol.local.sim.TaskRouterState.page;

/**
 * TaskRouter's Worker resource: list (by name, activity or availability), fetch and update workers
 * (activity, attributes, name) (https://www.twilio.com/docs/taskrouter/api/worker); and the activity
 * changes TaskRouter makes itself (a reservation timeout, a reject with an activity) or a test makes
 * through {@code /sim/workers/{worker}/activity}, each of which may let waiting tasks be routed
 * (https://www.twilio.com/docs/taskrouter/api/activity). The worker resources themselves are kept in
 * {@link TaskRouterState}. Every method runs under the world's lock.
 */
final class Workers {
    private final SimWorld world;

    Workers(SimWorld world) {
        this.world = world;
    }

    /** Sets a worker's activity by worker name or SID and activity name or SID. */
    Map<String, Object> setActivity(String worker, String activity) {
        Map<String, Object> found = world.taskRouter.workers().values().stream()
                .filter(w -> w.get("sid").equals(worker) || w.get("friendly_name").equals(worker)).findFirst()
                .orElseThrow(() -> new TwilioError(404, 20404, "No worker " + worker));
        Map<String, Object> target = world.taskRouter.activities().values().stream()
                .filter(a -> a.get("sid").equals(activity) || ((String) a.get("friendly_name")).equalsIgnoreCase(activity)).findFirst()
                .orElseThrow(() -> new TwilioError(400, 20001, "No activity " + activity));
        applyActivity(found, target);
        return new LinkedHashMap<>(found);
    }

    /** Sets a worker's activity by SID, as TaskRouter does itself (a reservation timeout, a reject with an activity). */
    void changeActivity(Map<String, Object> worker, String activitySid) {
        Map<String, Object> activity = world.taskRouter.activities().get(activitySid);
        if (activity == null) {
            throw new TwilioError(400, 20001, "Activity " + activitySid + " does not exist in this workspace");
        }
        applyActivity(worker, activity);
    }

    Object listWorkers(TwilioSimulator.Call call) {
        world.taskRouter.requireWorkspace(call.variable(1));
        List<Predicate<Map<String, Object>>> filters = new ArrayList<>();
        filterBy(call, "FriendlyName", "friendly_name", value -> value, filters);
        filterBy(call, "ActivitySid", "activity_sid", value -> value, filters);
        filterBy(call, "ActivityName", "activity_name", value -> value, filters);
        filterBy(call, "Available", "available", Boolean::valueOf, filters);
        return page(call, "workers", "WK", world.taskRouter.workers().values().stream().filter(w -> filters.stream().allMatch(f -> f.test(w))).toList(),
                w -> (String) w.get("sid"), w -> w);
    }

    private static void filterBy(TwilioSimulator.Call call, String parameter, String field, Function<String, Object> convert,
                                 List<Predicate<Map<String, Object>>> filters) {
        String value = call.first(parameter);
        if (value != null) {
            Object wanted = convert.apply(value);
            filters.add(resource -> wanted.equals(resource.get(field)));
        }
    }

    Object updateWorker(TwilioSimulator.Call call) {
        @SuppressWarnings("unchecked")
        Map<String, Object> worker = (Map<String, Object>) world.taskRouter.fetch(call, world.taskRouter.workers(), "Worker");
        String activitySid = call.first("ActivitySid");
        if (activitySid != null) {
            Map<String, Object> activity = world.taskRouter.activities().get(activitySid);
            if (activity == null) {
                throw new TwilioError(400, 20001, "Activity " + activitySid + " does not exist in this workspace");
            }
            applyActivity(worker, activity);
        }
        if (call.first("Attributes") != null) {
            worker.put("attributes", jsonObject(call.first("Attributes"), "Attributes"));
            workerChanged(worker);
        }
        if (call.first("FriendlyName") != null) {
            worker.put("friendly_name", call.first("FriendlyName"));
        }
        world.taskRouter.touch(worker);
        return worker;
    }

    private void applyActivity(Map<String, Object> worker, Map<String, Object> activity) {
        boolean changed = !activity.get("sid").equals(worker.get("activity_sid"));
        worker.put("activity_sid", activity.get("sid"));
        worker.put("activity_name", activity.get("friendly_name"));
        worker.put("available", activity.get("available"));
        worker.put("date_status_changed", world.now().toString());
        world.taskRouter.touch(worker);
        if (changed) {
            workerChanged(worker);
        }
    }

    /** A worker's activity or attributes changed: waiting tasks may now fit. */
    void workerChanged(Map<String, Object> worker) {
        world.taskRouterEvents.event("worker.activity.update", null, null, Map.of("WorkerSid", (String) worker.get("sid")));
        world.workflows.freed();
    }
}
