package dev.callcontrol.twilio;

import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.taskrouter.v1.Workspace;
import com.twilio.rest.taskrouter.v1.workspace.Task;
import com.twilio.rest.taskrouter.v1.workspace.TaskQueue;
import com.twilio.rest.taskrouter.v1.workspace.task.Reservation;
import dev.callcontrol.calls.Telephony.Acceptance;
import dev.callcontrol.calls.Telephony.Queue;
import dev.callcontrol.calls.Telephony.TaskContext;
import dev.callcontrol.calls.Telephony.TaskState;
import dev.callcontrol.calls.Telephony.TaskStatus;
import dev.callcontrol.calls.Telephony.Worker;
import dev.callcontrol.config.Lazy;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.JsonValues;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TaskRouter half of {@link TwilioTelephony}: tasks (read with the worker of their accepted
 * reservation, created so that an unanswered create can be found again, moved on), workers and task
 * queues. Workers and queues change rarely and are read on agent requests, so they are kept for
 * {@link #DIRECTORY_TTL} per container rather than fetched on every transfer.
 */
final class TwilioTaskRouter {
    static final Duration DIRECTORY_TTL = Duration.ofMinutes(5);
    private static final String VOICE_CHANNEL = "voice";
    /** The task attribute that identifies one create request, for finding out whether it took effect. */
    static final String CREATE_TOKEN = "create_token";

    private final Lazy<TwilioRestClient> client;
    private final String workspaceSid;
    private final String workflowSid;
    private final Clock clock;
    private final FaultPolicy faults;
    private final Map<String, Cached<Optional<Worker>>> workers = new ConcurrentHashMap<>();
    private volatile Cached<List<Queue>> queues;
    private volatile String timeoutActivity;

    private record Cached<T>(T value, Instant expires) {
    }

    TwilioTaskRouter(Lazy<TwilioRestClient> client, String workspaceSid, String workflowSid, Clock clock, FaultPolicy faults) {
        this.client = client;
        this.workspaceSid = workspaceSid;
        this.workflowSid = workflowSid;
        this.clock = clock;
        this.faults = faults;
    }

    /** The task as TaskRouter has it, or null when it has it no longer (deleted some minutes after it ended). */
    private Task fetchTask(String taskSid) {
        return faults.run("fetching task " + taskSid, FaultPolicy.Kind.READ, () -> {
            try {
                return Task.fetcher(workspaceSid, taskSid).fetch(client.get());
            } catch (ApiException e) {
                if (TwilioTelephony.is404(e)) {
                    return null;
                }
                throw e;
            }
        });
    }

    Optional<TaskContext> task(String taskSid) {
        Task task = fetchTask(taskSid);
        if (task == null) {
            return Optional.empty();
        }
        Map<String, Object> attributes;
        try {
            attributes = JsonValues.parseObject(task.getAttributes(), "task attributes");
        } catch (HttpError e) {
            attributes = new LinkedHashMap<>();
        }
        String customer = text(at(attributes, "conference", "participants", "customer"));
        if (customer == null) {
            customer = text(attributes.get("call_sid"));
        }
        String worker = faults.run("listing the reservations of task " + taskSid, FaultPolicy.Kind.READ, () -> {
            for (Reservation reservation : Reservation.reader(workspaceSid, taskSid).setReservationStatus(Reservation.Status.ACCEPTED).read(client.get())) {
                return reservation.getWorkerSid();
            }
            return null;
        });
        return Optional.of(new TaskContext(taskSid, task.getAssignmentStatus() == null ? null : task.getAssignmentStatus().toString(),
                customer, worker, task.getTaskQueueFriendlyName(), attributes, task.getAge() == null ? 0 : task.getAge()));
    }

    /** The value at a path of object keys; {@code null} where a step is missing or not an object. */
    private static Object at(Map<String, Object> object, String... path) {
        Object value = object;
        for (String key : path) {
            value = value instanceof Map<?, ?> map ? map.get(key) : null;
        }
        return value;
    }

    /** A value as text, as Jackson's tree reads one: {@code null} for a missing or null value, "" for an object or array. */
    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof Map<?, ?> || value instanceof List<?> ? "" : JsonValues.asText(value);
    }

    /** A scalar attribute as text; null for a missing value, an object or an array. */
    private static String scalar(Object value) {
        return value == null || value instanceof Map<?, ?> || value instanceof List<?> ? null : JsonValues.asText(value);
    }

    Optional<Worker> worker(String workerSid) {
        Cached<Optional<Worker>> cached = workers.get(workerSid);
        if (cached != null && cached.expires().isAfter(clock.instant())) {
            return cached.value();
        }
        Optional<Worker> found = faults.run("fetching worker " + workerSid, FaultPolicy.Kind.READ, () -> {
            try {
                var worker = com.twilio.rest.taskrouter.v1.workspace.Worker.fetcher(workspaceSid, workerSid).fetch(client.get());
                Map<String, Object> attributes;
                try {
                    attributes = JsonValues.parseObject(worker.getAttributes(), "worker attributes");
                } catch (HttpError e) {
                    attributes = Map.of();
                }
                return Optional.of(new Worker(worker.getSid(), worker.getFriendlyName(), scalar(attributes.get("contact_uri")),
                        scalar(attributes.get("auth_sub"))));
            } catch (ApiException e) {
                if (TwilioTelephony.is404(e)) {
                    return Optional.<Worker>empty();
                }
                throw e;
            }
        });
        workers.put(workerSid, new Cached<>(found, clock.instant().plus(DIRECTORY_TTL)));
        return found;
    }

    /** Every worker (read now: availability changes) and every task queue (from the queue cache). */
    dev.callcontrol.calls.Telephony.Directory directory() {
        List<dev.callcontrol.calls.Telephony.Person> people = faults.run("listing workers", FaultPolicy.Kind.READ, () -> {
            List<dev.callcontrol.calls.Telephony.Person> out = new ArrayList<>();
            for (var worker : com.twilio.rest.taskrouter.v1.workspace.Worker.reader(workspaceSid).read(client.get())) {
                out.add(new dev.callcontrol.calls.Telephony.Person(worker.getSid(), worker.getFriendlyName(), worker.getActivityName(),
                        Boolean.TRUE.equals(worker.getAvailable())));
            }
            return out;
        });
        queue("");
        return new dev.callcontrol.calls.Telephony.Directory(List.copyOf(people), queues.value());
    }

    Optional<Queue> queue(String sidOrName) {
        Cached<List<Queue>> cached = queues;
        if (cached == null || !cached.expires().isAfter(clock.instant())) {
            List<Queue> all = faults.run("listing task queues", FaultPolicy.Kind.READ, () -> {
                List<Queue> out = new ArrayList<>();
                for (TaskQueue queue : TaskQueue.reader(workspaceSid).read(client.get())) {
                    out.add(new Queue(queue.getSid(), queue.getFriendlyName()));
                }
                return out;
            });
            cached = new Cached<>(List.copyOf(all), clock.instant().plus(DIRECTORY_TTL));
            queues = cached;
        }
        return cached.value().stream().filter(q -> q.sid().equals(sidOrName) || q.name().equals(sidOrName)).findFirst();
    }

    String createTask(Map<String, Object> attributes, int priority, int timeoutSeconds) {
        // A token of this create in the task's attributes: after an unanswered attempt, TaskRouter is asked for a task carrying it.
        String token = UUID.randomUUID().toString();
        Map<String, Object> tagged = new LinkedHashMap<>(attributes);
        tagged.put(CREATE_TOKEN, token);
        return faults.create("creating a task", () -> {
                    var creator = Task.creator(workspaceSid)
                            .setWorkflowSid(workflowSid)
                            .setTaskChannel(VOICE_CHANNEL)
                            .setPriority(priority)
                            .setAttributes(JsonValues.writeWithoutNulls(tagged));
                    if (timeoutSeconds > 0) {
                        creator.setTimeout(timeoutSeconds);
                    }
                    return creator.create(client.get()).getSid();
                },
                () -> {
                    for (Task task : Task.reader(workspaceSid).setEvaluateTaskAttributes(CREATE_TOKEN + " == \"" + token + "\"").limit(1).read(client.get())) {
                        return Optional.of(task.getSid());
                    }
                    return Optional.empty();
                });
    }

    Optional<TaskState> taskStatus(String taskSid) {
        return faults.run("fetching the status of task " + taskSid, FaultPolicy.Kind.READ, () -> {
            try {
                Task task = Task.fetcher(workspaceSid, taskSid).fetch(client.get());
                if (task.getAssignmentStatus() == null) {
                    return Optional.<TaskState>empty();
                }
                return Optional.of(new TaskState(task.getAssignmentStatus().toString(),
                        task.getDateUpdated() == null ? null : task.getDateUpdated().toInstant()));
            } catch (ApiException e) {
                if (TwilioTelephony.is404(e)) {
                    return Optional.<TaskState>empty();
                }
                throw e;
            }
        });
    }

    boolean completeTask(String taskSid, Map<String, Object> added, String reason) {
        Task task = faults.run("fetching task " + taskSid, FaultPolicy.Kind.READ, () -> Task.fetcher(workspaceSid, taskSid).fetch(client.get()));
        Map<String, Object> attributes;
        try {
            attributes = new LinkedHashMap<>(JsonValues.parseObject(task.getAttributes(), "task attributes"));
        } catch (HttpError e) {
            attributes = new LinkedHashMap<>();
        }
        String merged = JsonValues.writeWithoutNulls(merge(attributes, added));
        return faults.run("completing task " + taskSid, FaultPolicy.Kind.UPDATE, () -> {
            try {
                var update = Task.updater(workspaceSid, taskSid).setAssignmentStatus(Task.Status.COMPLETED).setAttributes(merged);
                if (reason != null) {
                    update.setReason(reason);
                }
                update.update(client.get());
                return true;
            } catch (ApiException e) {
                if (refusedForItsState(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    /**
     * Adds {@code added} to a task's attributes: reads the task and writes them back merged, two
     * requests. False when TaskRouter no longer has the task (deleted some minutes after it ended).
     */
    boolean addAttributes(String taskSid, Map<String, Object> added) {
        Task task = fetchTask(taskSid);
        if (task == null) {
            return false;
        }
        Map<String, Object> attributes;
        try {
            attributes = new LinkedHashMap<>(JsonValues.parseObject(task.getAttributes(), "task attributes"));
        } catch (HttpError e) {
            attributes = new LinkedHashMap<>();
        }
        String merged = JsonValues.writeWithoutNulls(merge(attributes, added));
        return faults.run("adding to the attributes of task " + taskSid, FaultPolicy.Kind.UPDATE, () -> {
            try {
                Task.updater(workspaceSid, taskSid).setAttributes(merged).update(client.get());
                return true;
            } catch (ApiException e) {
                // Gone, or no longer taking attributes once it ended (docs/decisions.md, "Reporting on the task").
                if (refusedForItsState(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    /**
     * {@code added} over {@code attributes}, objects merged one level down: {@code conversations}
     * keys written by Studio, Flex or another integration stay beside the product's own.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> attributes, Map<String, Object> added) {
        Map<String, Object> out = new LinkedHashMap<>(attributes);
        added.forEach((key, value) -> {
            if (value instanceof Map<?, ?> inner && out.get(key) instanceof Map<?, ?> existing) {
                Map<String, Object> both = new LinkedHashMap<>((Map<String, Object>) existing);
                both.putAll((Map<String, Object>) inner);
                out.put(key, both);
            } else {
                out.put(key, value);
            }
        });
        return out;
    }

    Map<String, String> transferTasks(String transferId) {
        if (!transferId.matches("^[0-9a-zA-Z-]{1,64}$")) {
            throw new IllegalArgumentException("a transfer id is letters, digits and dashes");
        }
        return faults.run("listing the tasks of transfer " + transferId, FaultPolicy.Kind.READ, () -> {
            Map<String, String> out = new LinkedHashMap<>();
            for (Task task : Task.reader(workspaceSid).setEvaluateTaskAttributes("transfer.transfer_id == \"" + transferId + "\"").read(client.get())) {
                out.put(task.getSid(), task.getAssignmentStatus() == null ? null : task.getAssignmentStatus().toString());
            }
            return out;
        });
    }

    boolean updateTask(String taskSid, TaskStatus status, String reason) {
        Task.Status twilioStatus = switch (status) {
            case WRAPPING -> Task.Status.WRAPPING;
            case COMPLETED -> Task.Status.COMPLETED;
            case CANCELED -> Task.Status.CANCELED;
        };
        return faults.run("moving task " + taskSid + " to " + twilioStatus, FaultPolicy.Kind.UPDATE, () -> {
            try {
                var update = Task.updater(workspaceSid, taskSid).setAssignmentStatus(twilioStatus);
                if (reason != null) {
                    update.setReason(reason);
                }
                update.update(client.get());
                return true;
            } catch (ApiException e) {
                if (refusedForItsState(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    Acceptance acceptReservation(String taskSid, String reservationSid) {
        return faults.run("accepting reservation " + reservationSid, FaultPolicy.Kind.UPDATE, () -> {
            try {
                Reservation.updater(workspaceSid, taskSid, reservationSid).setReservationStatus(Reservation.Status.ACCEPTED).update(client.get());
                return Acceptance.ACCEPTED;
            } catch (ApiException e) {
                if (!refusedForItsState(e)) {
                    throw e;
                }
            }
            // Refused: accepted already (a repeated delivery, or TaskRouter accepting on its own), or gone.
            try {
                Reservation reservation = Reservation.fetcher(workspaceSid, taskSid, reservationSid).fetch(client.get());
                return reservation.getReservationStatus() == Reservation.Status.ACCEPTED ? Acceptance.ALREADY_ACCEPTED : Acceptance.GONE;
            } catch (ApiException e) {
                if (TwilioTelephony.is404(e)) {
                    return Acceptance.GONE;
                }
                throw e;
            }
        });
    }

    boolean rejectReservation(String taskSid, String reservationSid) {
        return faults.run("rejecting reservation " + reservationSid, FaultPolicy.Kind.UPDATE, () -> {
            try {
                Reservation.updater(workspaceSid, taskSid, reservationSid).setReservationStatus(Reservation.Status.REJECTED).update(client.get());
                return true;
            } catch (ApiException e) {
                if (refusedForItsState(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    boolean rejectReservationOfUnreachableWorker(String taskSid, String reservationSid) {
        String timeoutActivity = timeoutActivitySid();
        return faults.run("rejecting reservation " + reservationSid + " of an unreachable worker", FaultPolicy.Kind.UPDATE, () -> {
            try {
                Reservation.updater(workspaceSid, taskSid, reservationSid).setReservationStatus(Reservation.Status.REJECTED)
                        .setWorkerActivitySid(timeoutActivity).update(client.get());
                return true;
            } catch (ApiException e) {
                if (refusedForItsState(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** The workspace's timeout activity, read once per container: it is part of the workspace's configuration. */
    private String timeoutActivitySid() {
        String known = timeoutActivity;
        if (known == null) {
            known = faults.run("fetching workspace " + workspaceSid, FaultPolicy.Kind.READ,
                    () -> Workspace.fetcher(workspaceSid).fetch(client.get()).getTimeoutActivitySid());
            timeoutActivity = known;
        }
        return known;
    }

    /** TaskRouter answers 400 when a task or reservation has already moved past the state asked for, 404 when it is gone. */
    private static boolean refusedForItsState(ApiException e) {
        return e.getStatusCode() != null && (e.getStatusCode() == 400 || e.getStatusCode() == 404);
    }
}
