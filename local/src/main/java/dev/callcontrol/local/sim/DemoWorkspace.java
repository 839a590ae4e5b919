package dev.callcontrol.local.sim;

import dev.callcontrol.local.LocalDefaults;

import java.util.List;

/**
 * The workspace the simulator starts with: two queues (support, sales), three agents and a
 * supervisor who are reached on {@code client:} addresses, and the demo phone number callers will
 * dial. The SIDs are fixed so that scripts, tests and the README can name them.
 */
public final class DemoWorkspace {
    public static final String WORKSPACE_SID = LocalDefaults.WORKSPACE_SID;
    public static final String WORKFLOW_SID = LocalDefaults.WORKFLOW_SID;
    public static final String PHONE_NUMBER = "+15005550006";
    /** A second number of the demo account: callers reach the same queue on it, and agents may show it as their caller ID. */
    public static final String SECOND_NUMBER = "+15005550007";

    public static final String AVAILABLE = "WA00000000000000000000000000000001";
    public static final String UNAVAILABLE = "WA00000000000000000000000000000002";
    public static final String OFFLINE = "WA00000000000000000000000000000003";
    public static final String WRAP_UP = "WA00000000000000000000000000000004";

    public static final String SUPPORT_QUEUE = "WQ00000000000000000000000000000001";
    public static final String SALES_QUEUE = "WQ00000000000000000000000000000002";

    public static final String ALICE = "WK00000000000000000000000000000001";
    public static final String BOB = "WK00000000000000000000000000000002";
    public static final String CAROL = "WK00000000000000000000000000000003";
    public static final String SAM = "WK00000000000000000000000000000004";

    record Activity(String sid, String name, boolean available) {
    }

    record Queue(String sid, String name, String targetWorkers) {
    }

    record Worker(String sid, String name, String activitySid, String attributes) {
    }

    static final List<Activity> ACTIVITIES = List.of(
            new Activity(AVAILABLE, "Available", true),
            new Activity(UNAVAILABLE, "Unavailable", false),
            new Activity(OFFLINE, "Offline", false),
            new Activity(WRAP_UP, "Wrap-up", false));

    static final List<Queue> QUEUES = List.of(
            new Queue(SUPPORT_QUEUE, "support", "skills HAS \"support\""),
            new Queue(SALES_QUEUE, "sales", "skills HAS \"sales\""));

    static final List<Worker> WORKERS = List.of(
            new Worker(ALICE, "alice", AVAILABLE,
                    "{\"contact_uri\":\"client:alice\",\"auth_sub\":\"local-user-alice\",\"full_name\":\"Alice Agent\",\"skills\":[\"support\"],\"roles\":[\"agent\"]}"),
            new Worker(BOB, "bob", AVAILABLE,
                    "{\"contact_uri\":\"client:bob\",\"auth_sub\":\"local-user-bob\",\"full_name\":\"Bob Agent\",\"skills\":[\"support\",\"sales\"],\"roles\":[\"agent\"]}"),
            new Worker(CAROL, "carol", AVAILABLE,
                    "{\"contact_uri\":\"client:carol\",\"auth_sub\":\"local-user-carol\",\"full_name\":\"Carol Agent\",\"skills\":[\"sales\"],\"roles\":[\"agent\"]}"),
            new Worker(SAM, "sam", UNAVAILABLE,
                    "{\"contact_uri\":\"client:sam\",\"auth_sub\":\"local-user-sam\",\"full_name\":\"Sam Supervisor\",\"skills\":[\"support\",\"sales\"],\"roles\":[\"supervisor\"]}"));

    /**
     * The workflow: a transfer to a known worker goes to that worker; a transfer or call for a queue
     * goes to it; everything else goes to support.
     */
    static final String WORKFLOW_CONFIGURATION = """
            {"task_routing":{"filters":[\
            {"filter_friendly_name":"requested agent","expression":"route == 'agent'",\
            "targets":[{"queue":"%1$s","known_worker_sid":"task.requested_agent"},{"queue":"%2$s","known_worker_sid":"task.requested_agent"}]},\
            {"filter_friendly_name":"sales","expression":"desired_queue == 'sales'","targets":[{"queue":"%2$s"}]},\
            {"filter_friendly_name":"support","expression":"desired_queue == 'support'","targets":[{"queue":"%1$s"}]}],\
            "default_filter":{"queue":"%1$s"}}}""".formatted(SUPPORT_QUEUE, SALES_QUEUE);

    private DemoWorkspace() {
    }
}
