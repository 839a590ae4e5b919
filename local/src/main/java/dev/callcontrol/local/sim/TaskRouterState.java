package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * TaskRouter's configuration in the simulator: the Workspace resource
 * (https://www.twilio.com/docs/taskrouter/api/workspace) with its event callback settings, its
 * Activities (https://www.twilio.com/docs/taskrouter/api/activity) and TaskQueues
 * (https://www.twilio.com/docs/taskrouter/api/task-queue), and the worker and workflow resources that
 * {@link Workers} and {@link Workflows} change, answered at Twilio's v1 paths ({@link TaskRouterRoutes})
 * in Twilio's JSON shapes; and TaskRouter's REST conventions (its list envelope, integer, JSON and
 * required parameters). The simulator serialises calls into it, so it holds no locks of its own.
 */
final class TaskRouterState {

    private final SimWorld world;
    private final String accountSid;
    private final String workspaceSid = DemoWorkspace.WORKSPACE_SID;
    private final Instant created = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final Map<String, Map<String, Object>> activities = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> queues = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> workers = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> workflows = new LinkedHashMap<>();

    private String eventCallbackUrl;
    private String eventsFilter;
    private String timeoutActivitySid = DemoWorkspace.UNAVAILABLE;

    TaskRouterState(SimWorld world) {
        this.world = world;
        this.accountSid = world.accountSid;
        DemoWorkspace.ACTIVITIES.forEach(a -> activities.put(a.sid(), activity(a.sid(), a.name(), a.available())));
        DemoWorkspace.QUEUES.forEach(q -> queues.put(q.sid(), queue(q.sid(), q.name(), q.targetWorkers())));
        DemoWorkspace.WORKERS.forEach(w -> workers.put(w.sid(), worker(w.sid(), w.name(), w.activitySid(), w.attributes())));
        workflows.put(DemoWorkspace.WORKFLOW_SID, workflow(DemoWorkspace.WORKFLOW_SID, "Inbound and transfers", DemoWorkspace.WORKFLOW_CONFIGURATION));
    }

    /** What {@code GET /sim/workers} shows: the seeded workspace at a glance. */
    Map<String, Object> directory() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("workspaceSid", workspaceSid);
        out.put("workflowSid", DemoWorkspace.WORKFLOW_SID);
        out.put("phoneNumber", DemoWorkspace.PHONE_NUMBER);
        out.put("queues", queues.values().stream().map(q -> Map.of("sid", q.get("sid"), "name", q.get("friendly_name"))).toList());
        out.put("workers", workers.values().stream().map(w -> {
            JsonNode attributes = Json.parse((String) w.get("attributes"), "attributes");
            Map<String, Object> worker = new LinkedHashMap<>();
            worker.put("sid", w.get("sid"));
            worker.put("name", w.get("friendly_name"));
            worker.put("contactUri", attributes.path("contact_uri").asText(null));
            worker.put("roles", Json.MAPPER.convertValue(attributes.path("roles"), List.class));
            worker.put("activity", w.get("activity_name"));
            worker.put("available", w.get("available"));
            return worker;
        }).toList());
        return out;
    }

    Map<String, Object> workspace(String sid) {
        requireWorkspace(sid);
        Map<String, Object> out = base(workspaceSid, "");
        out.remove("workspace_sid");
        out.put("friendly_name", "Call control demo");
        out.put("default_activity_sid", DemoWorkspace.OFFLINE);
        out.put("default_activity_name", "Offline");
        out.put("timeout_activity_sid", timeoutActivitySid);
        out.put("timeout_activity_name", activities.get(timeoutActivitySid).get("friendly_name"));
        out.put("event_callback_url", eventCallbackUrl);
        out.put("events_filter", eventsFilter);
        out.put("multi_task_enabled", true);
        out.put("prioritize_queue_order", "FIFO");
        return out;
    }

    Object updateWorkspace(TwilioSimulator.Call call) {
        requireWorkspace(call.variable(1));
        if (call.first("EventCallbackUrl") != null) {
            String url = call.first("EventCallbackUrl").trim();
            eventCallbackUrl = url.isEmpty() ? null : url;
        }
        if (call.first("EventsFilter") != null) {
            String filter = call.first("EventsFilter").trim();
            eventsFilter = filter.isEmpty() ? null : filter;
        }
        if (call.first("TimeoutActivitySid") != null) {
            String activity = call.first("TimeoutActivitySid");
            if (!activities.containsKey(activity)) {
                throw new TwilioError(400, 20001, "Activity " + activity + " does not exist in this workspace");
            }
            timeoutActivitySid = activity;
        }
        return workspace(call.variable(1));
    }

    void setEventCallback(String url) {
        eventCallbackUrl = url;
    }

    String eventCallbackUrl() {
        return eventCallbackUrl;
    }

    /** Whether the workspace's event callback wants this event type (no filter means every event). */
    boolean wantsEvent(String type) {
        return eventCallbackUrl != null && (eventsFilter == null || java.util.Arrays.stream(eventsFilter.split(","))
                .map(String::trim).anyMatch(type::equals));
    }

    Map<String, Map<String, Object>> activities() {
        return activities;
    }

    Map<String, Map<String, Object>> workers() {
        return workers;
    }

    Map<String, Map<String, Object>> queues() {
        return queues;
    }

    Map<String, Map<String, Object>> workflows() {
        return workflows;
    }

    String workspaceSid() {
        return workspaceSid;
    }

    String timeoutActivitySid() {
        return timeoutActivitySid;
    }

    /** A list of {@code resources} (their SIDs start {@code sidPrefix}), filtered by the {@code filter} parameter on {@code field}. */
    Object list(TwilioSimulator.Call call, String key, String sidPrefix, Map<String, Map<String, Object>> resources, String filter, String field) {
        requireWorkspace(call.variable(1));
        String wanted = call.first(filter);
        return page(call, key, sidPrefix, resources.values().stream().filter(r -> wanted == null || wanted.equals(r.get(field))).toList(),
                r -> (String) r.get("sid"), r -> r);
    }

    Object fetch(TwilioSimulator.Call call, Map<String, Map<String, Object>> resources, String kind) {
        requireWorkspace(call.variable(1));
        Map<String, Object> resource = resources.get(call.variable(2));
        if (resource == null) {
            throw new TwilioError(404, 20404, "The requested " + kind + " " + call.variable(2) + " was not found");
        }
        return resource;
    }

    Object createQueue(TwilioSimulator.Call call) {
        requireWorkspace(call.variable(1));
        String name = required(call, "FriendlyName");
        String sid = nextSid("WQ");
        Map<String, Object> queue = queue(sid, name, call.first("TargetWorkers") == null ? "1==1" : call.first("TargetWorkers"));
        queues.put(sid, queue);
        return new TwilioSimulator.Created(queue);
    }

    Object updateQueue(TwilioSimulator.Call call) {
        @SuppressWarnings("unchecked")
        Map<String, Object> queue = (Map<String, Object>) fetch(call, queues, "TaskQueue");
        if (call.first("FriendlyName") != null) {
            queue.put("friendly_name", call.first("FriendlyName"));
        }
        if (call.first("TargetWorkers") != null) {
            queue.put("target_workers", call.first("TargetWorkers"));
        }
        touch(queue);
        return queue;
    }

    void requireWorkspace(String sid) {
        if (!workspaceSid.equals(sid)) {
            throw new TwilioError(404, 20404, "The requested Workspace " + sid + " was not found");
        }
    }

    static int integer(String value, int fallback, String name) {
        return value == null || value.isBlank() ? fallback : integer(value, name);
    }

    static int integer(String value, String name) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new TwilioError(400, 20001, name + " must be an integer");
        }
    }

    static String required(TwilioSimulator.Call call, String name) {
        String value = call.first(name);
        if (value == null || value.isBlank()) {
            throw new TwilioError(400, 20001, "Missing required parameter " + name + " in the post body");
        }
        return value;
    }

    /** {@code text} when it is a JSON object; a 400 / 20001 naming the parameter otherwise. */
    static String jsonObject(String text, String name) {
        try {
            JsonNode node = Json.parse(text, name);
            if (!node.isObject()) {
                throw new TwilioError(400, 20001, name + " must be a JSON object");
            }
        } catch (HttpError e) {
            throw new TwilioError(400, 20001, name + " is not valid JSON");
        }
        return text;
    }

    String nextSid(String prefix) {
        return world.sid(prefix);
    }

    private Map<String, Object> base(String sid, String path) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sid", sid);
        out.put("account_sid", accountSid);
        out.put("workspace_sid", workspaceSid);
        out.put("date_created", created.toString());
        out.put("date_updated", created.toString());
        out.put("url", "https://taskrouter.twilio.com/v1/Workspaces/" + workspaceSid + path);
        out.put("links", Map.of());
        return out;
    }

    void touch(Map<String, Object> resource) {
        resource.put("date_updated", world.now().toString());
    }

    private Map<String, Object> activity(String sid, String name, boolean available) {
        Map<String, Object> out = base(sid, "/Activities/" + sid);
        out.put("friendly_name", name);
        out.put("available", available);
        return out;
    }

    private Map<String, Object> queue(String sid, String name, String targetWorkers) {
        Map<String, Object> out = base(sid, "/TaskQueues/" + sid);
        out.put("friendly_name", name);
        out.put("target_workers", targetWorkers);
        out.put("max_reserved_workers", 1);
        out.put("task_order", "FIFO");
        out.put("assignment_activity_sid", null);
        out.put("assignment_activity_name", null);
        out.put("reservation_activity_sid", null);
        out.put("reservation_activity_name", null);
        return out;
    }

    private Map<String, Object> worker(String sid, String name, String activitySid, String attributes) {
        Map<String, Object> out = base(sid, "/Workers/" + sid);
        Map<String, Object> activity = activities.get(activitySid);
        out.put("friendly_name", name);
        out.put("attributes", attributes);
        out.put("activity_sid", activitySid);
        out.put("activity_name", activity.get("friendly_name"));
        out.put("available", activity.get("available"));
        out.put("date_status_changed", created.toString());
        return out;
    }

    Map<String, Object> workflow(String sid, String name, String configuration) {
        Map<String, Object> out = base(sid, "/Workflows/" + sid);
        out.put("friendly_name", name);
        out.put("configuration", configuration);
        out.put("assignment_callback_url", null);
        out.put("fallback_assignment_callback_url", null);
        out.put("task_reservation_timeout", 120);
        out.put("document_content_type", "application/json");
        return out;
    }

    /**
     * One page of a TaskRouter list: the page's items under {@code key} and the {@code meta} block
     * ({@code page}, {@code page_size}, {@code first_page_url}, {@code previous_page_url}, {@code url},
     * {@code next_page_url}, {@code key}), whose URLs keep the request's filters ({@link Paging}).
     * {@code items} are the list's matches in any order, {@code sid} names each (a token must carry a
     * {@code sidPrefix} SID) and {@code json} shows it.
     */
    static <T> Map<String, Object> page(TwilioSimulator.Call call, String key, String sidPrefix, Collection<T> items,
                                        Function<T, String> sid, Function<T, Map<String, Object>> json) {
        Paging.Request paging = Paging.request(call, sidPrefix);
        // [rule taskrouter.rest.list-order] Creation order, which for tasks is their documented order too (Tasks.listTasks).
        Comparator<String> order = Paging.creationOrder();
        List<T> sorted = items.stream().sorted(Comparator.comparing(sid, order)).toList();
        Paging.Page<T> page = Paging.cut(sorted, sid, order, paging);
        // [rule taskrouter.rest.paging]
        String base = "https://taskrouter.twilio.com" + call.path().group(0) + "?";
        int size = paging.pageSize();
        int index = paging.page();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("page", index);
        meta.put("page_size", size);
        meta.put("first_page_url", base + Paging.query(call, size, 0, null));
        meta.put("previous_page_url", index > 0 && page.before() ? base + Paging.query(call, size, index - 1, "PB" + page.firstSid()) : null);
        meta.put("url", base + Paging.query(call, size, index, paging.token()));
        meta.put("next_page_url", page.after() ? base + Paging.query(call, size, index + 1, "PA" + page.lastSid()) : null);
        meta.put("key", key);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(key, page.items().stream().map(json).toList());
        out.put("meta", meta);
        return out;
    }
}
