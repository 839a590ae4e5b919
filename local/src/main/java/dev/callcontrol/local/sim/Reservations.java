package dev.callcontrol.local.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TaskRouter's Reservation resource, by task and by worker: fetch, list and update (status, or an
 * instruction given through the REST API) (https://www.twilio.com/docs/taskrouter/api/reservations);
 * and a reservation's life: made when a workflow picks a worker, with the workflow's reservation
 * timeout; accepted, or rejected or timed out (the worker then goes to the workspace's timeout
 * activity) and the task routed again, or canceled with its task; one task per worker per channel
 * (https://www.twilio.com/docs/taskrouter/lifecycle-task-workflows-and-assignment). The assignment
 * callback a new reservation sends is {@link AssignmentCallbacks}'. Every method runs under the
 * world's lock.
 */
final class Reservations {
    private final SimWorld world;
    private final Map<String, Reservation> reservations = new LinkedHashMap<>();
    /** When each worker last ended a reservation, so that the worker idle longest gets the next task. */
    final Map<String, Instant> lastFree = new HashMap<>();

    Reservations(SimWorld world) {
        this.world = world;
    }

    // ---------------------------------------------------------------- REST

    /** A task's reservations, by {@code ReservationStatus} and {@code WorkerSid}. */
    Object listOfTask(TwilioSimulator.Call request) {
        Task task = world.tasks.task(request);
        String status = request.first("ReservationStatus");
        String worker = request.first("WorkerSid");
        return TaskRouterState.page(request, "reservations", "WR", reservations.values().stream().filter(r -> r.taskSid.equals(task.sid))
                .filter(r -> status == null || status.equals(r.status)).filter(r -> worker == null || worker.equals(r.workerSid))
                .toList(), r -> r.sid, this::reservationJson);
    }

    /** A worker's reservations, by {@code ReservationStatus}. */
    Object listOfWorker(TwilioSimulator.Call request) {
        world.taskRouter.requireWorkspace(request.variable(1));
        String status = request.first("ReservationStatus");
        return TaskRouterState.page(request, "reservations", "WR", reservations.values().stream().filter(r -> r.workerSid.equals(request.variable(2)))
                .filter(r -> status == null || status.equals(r.status)).toList(), r -> r.sid, this::reservationJson);
    }

    Object updateReservation(TwilioSimulator.Call request, Reservation reservation) {
        Tasks.checkIfMatch(request, world.tasks.get(reservation.taskSid));
        String status = request.first("ReservationStatus");
        String instruction = request.first("Instruction");
        if (instruction != null) {
            requirePending(reservation);
            world.assignments.instruct(reservation, AssignmentCallbacks.instructionFromParameters(instruction, request), "REST API");
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
                    world.tasks.wrapTask(world.tasks.get(reservation.taskSid));
                }
                case "completed" -> {
                    if (!Set.of("accepted", "wrapping").contains(reservation.status)) {
                        throw new TwilioError(400, 20001, "Reservation " + reservation.sid + " is " + reservation.status + ", not accepted or wrapping");
                    }
                    world.tasks.completeTask(world.tasks.get(reservation.taskSid), null);
                }
                default -> throw new TwilioError(400, 20001, "ReservationStatus cannot be set to " + status);
            }
        }
        if (request.first("WorkerActivitySid") != null && !"rejected".equals(status)) {
            world.workers.changeActivity(world.taskRouter.workers().get(reservation.workerSid), request.first("WorkerActivitySid"));
        }
        return reservationJson(reservation);
    }

    private void requirePending(Reservation reservation) {
        if (!reservation.status.equals("pending")) {
            throw new TwilioError(400, 20001, "Reservation " + reservation.sid + " is " + reservation.status + " and no longer pending");
        }
    }

    // ---------------------------------------------------------------- life cycle

    void reserve(Task task, Map<String, Object> worker) {
        Reservation reservation = new Reservation(world, task.sid, (String) worker.get("sid"));
        reservations.put(reservation.sid, reservation);
        task.status = "reserved";
        world.tasks.touch(task);
        Map<String, Object> workflow = world.taskRouter.workflows().get(task.workflowSid);
        // [rule taskrouter.reservation.timeout]
        int timeout = ((Number) workflow.getOrDefault("task_reservation_timeout", 120)).intValue();
        reservation.timer = world.clock.after(Duration.ofSeconds(timeout), "reservation " + reservation.sid + " of " + worker.get("friendly_name") + " times out",
                () -> timeOut(reservation));
        world.taskRouterEvents.event("reservation.created", task, reservation, Map.of());
        // [rule taskrouter.assignment-callback.post]
        String url = (String) workflow.get("assignment_callback_url");
        if (url != null && !url.isBlank()) {
            world.assignments.assignmentCallback(reservation, url, (String) workflow.get("fallback_assignment_callback_url"));
        }
    }

    // [rule taskrouter.worker.capacity]
    /** A worker holds one task per channel: a pending, accepted or wrapping reservation fills it. */
    boolean busy(Map<String, Object> worker, String channel) {
        return reservations.values().stream().anyMatch(r -> r.workerSid.equals(worker.get("sid"))
                && Set.of("pending", "accepted", "wrapping").contains(r.status)
                && world.tasks.contains(r.taskSid) && channel.equals(world.tasks.get(r.taskSid).channel));
    }

    void accept(Reservation reservation) {
        Task task = world.tasks.get(reservation.taskSid);
        SimClock.cancel(reservation.timer);
        reservation.status = "accepted";
        reservation.updated = world.now();
        task.status = "assigned";
        world.tasks.touch(task);
        world.taskRouterEvents.event("reservation.accepted", task, reservation, Map.of());
    }

    /** The worker declined: the task goes back to routing, and is not offered to this worker again. */
    void reject(Reservation reservation, String activitySid) {
        Task task = world.tasks.get(reservation.taskSid);
        endReservation(reservation, "rejected");
        if (world.rules.is("taskrouter.reject.reoffer", "other-workers")) {
            task.rejectedBy.add(reservation.workerSid);
        }
        if (activitySid != null) {
            world.workers.changeActivity(world.taskRouter.workers().get(reservation.workerSid), activitySid);
        }
        world.taskRouterEvents.event("reservation.rejected", task, reservation, Map.of());
        requeue(task);
    }

    /** Nobody answered in time: the worker moves to the workspace's timeout activity and the task is routed again. */
    void timeOut(Reservation reservation) {
        if (!reservation.status.equals("pending")) {
            return;
        }
        Task task = world.tasks.get(reservation.taskSid);
        endReservation(reservation, "timeout");
        world.taskRouterEvents.event("reservation.timeout", task, reservation, Map.of());
        // [rule taskrouter.reservation.timeout-activity]
        world.workers.changeActivity(world.taskRouter.workers().get(reservation.workerSid), world.taskRouter.timeoutActivitySid());
        requeue(task);
    }

    private void requeue(Task task) {
        if (task.status.equals("reserved")) {
            task.status = "pending";
            world.tasks.touch(task);
            world.outbox.later("route " + task.sid, () -> world.workflows.route(task));
        }
    }

    void endReservation(Reservation reservation, String status) {
        SimClock.cancel(reservation.timer);
        reservation.status = status;
        reservation.updated = world.now();
        lastFree.put(reservation.workerSid, world.now());
        SimCall leg = reservation.workerCallSid == null ? null : world.calls.find(reservation.workerCallSid);
        if (leg != null && leg.live() && !leg.status.equals("in-progress")) {
            world.calls.unanswered(leg, "canceled");
        }
    }

    // ---------------------------------------------------------------- JSON and lookups

    /** The tasks a worker holds (pending, accepted or wrapping reservations), for the directory. */
    List<String> tasksOf(String workerSid) {
        return reservations.values().stream().filter(r -> r.workerSid.equals(workerSid) && Set.of("pending", "accepted", "wrapping").contains(r.status))
                .map(r -> r.taskSid).distinct().toList();
    }

    List<Reservation> reservationsOf(Task task) {
        return reservations.values().stream().filter(r -> r.taskSid.equals(task.sid)).toList();
    }

    Reservation reservation(TwilioSimulator.Call request, String taskSid, String workerSid) {
        world.taskRouter.requireWorkspace(request.variable(1));
        Reservation reservation = reservations.get(request.variable(3));
        if (reservation == null || (taskSid != null && !taskSid.equals(reservation.taskSid)) || (workerSid != null && !workerSid.equals(reservation.workerSid))) {
            throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
        }
        return reservation;
    }

    Map<String, Object> reservationJson(Reservation reservation) {
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
}
