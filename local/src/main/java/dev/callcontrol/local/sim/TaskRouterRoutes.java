package dev.callcontrol.local.sim;

/**
 * TaskRouter's REST paths (v1, https://www.twilio.com/docs/taskrouter/api), each with the class that
 * answers it: the Workspace, Activities, TaskQueues ({@link TaskRouterState}), Workers
 * ({@link Workers}, https://www.twilio.com/docs/taskrouter/api/worker), Workflows ({@link Workflows},
 * https://www.twilio.com/docs/taskrouter/api/workflow), Tasks ({@link Tasks},
 * https://www.twilio.com/docs/taskrouter/api/task) and Reservations, by task and by worker
 * ({@link Reservations}, https://www.twilio.com/docs/taskrouter/api/reservations).
 */
final class TaskRouterRoutes {
    private static final String SID = "([A-Z]{2}[0-9a-fA-F]{32})";

    private TaskRouterRoutes() {
    }

    static void register(TwilioSimulator simulator, SimWorld world) {
        TaskRouterState state = world.taskRouter;
        Workers workers = world.workers;
        Workflows workflows = world.workflows;
        Tasks tasks = world.tasks;
        Reservations reservations = world.reservations;
        String ws = "/v1/Workspaces/" + SID;
        simulator.route("GET", ws, call -> state.workspace(call.variable(1)));
        simulator.route("POST", ws, state::updateWorkspace);
        simulator.list(ws + "/Activities", call -> state.list(call, "activities", "WA", state.activities(), "FriendlyName", "friendly_name"));
        simulator.route("GET", ws + "/Activities/" + SID, call -> state.fetch(call, state.activities(), "Activity"));
        simulator.list(ws + "/TaskQueues", call -> state.list(call, "task_queues", "WQ", state.queues(), "FriendlyName", "friendly_name"));
        simulator.route("GET", ws + "/TaskQueues/" + SID, call -> state.fetch(call, state.queues(), "TaskQueue"));
        simulator.route("POST", ws + "/TaskQueues", state::createQueue);
        simulator.route("POST", ws + "/TaskQueues/" + SID, state::updateQueue);
        simulator.list(ws + "/Workers", workers::listWorkers);
        simulator.route("GET", ws + "/Workers/" + SID, call -> state.fetch(call, state.workers(), "Worker"));
        simulator.route("POST", ws + "/Workers/" + SID, workers::updateWorker);
        simulator.list(ws + "/Workflows", call -> state.list(call, "workflows", "WW", state.workflows(), "FriendlyName", "friendly_name"));
        simulator.route("GET", ws + "/Workflows/" + SID, call -> state.fetch(call, state.workflows(), "Workflow"));
        simulator.route("POST", ws + "/Workflows", workflows::createWorkflow);
        simulator.route("POST", ws + "/Workflows/" + SID, workflows::updateWorkflow);
        simulator.route("POST", ws + "/Tasks", tasks::createTask);
        simulator.list(ws + "/Tasks", tasks::listTasks);
        simulator.route("GET", ws + "/Tasks/" + SID, request -> tasks.withEtag(tasks.task(request)));
        simulator.route("POST", ws + "/Tasks/" + SID, tasks::updateTask);
        simulator.route("DELETE", ws + "/Tasks/" + SID, tasks::deleteTask);
        simulator.list(ws + "/Tasks/" + SID + "/Reservations", reservations::listOfTask);
        simulator.route("GET", ws + "/Tasks/" + SID + "/Reservations/" + SID,
                request -> reservations.reservationJson(reservations.reservation(request, tasks.task(request).sid, null)));
        simulator.route("POST", ws + "/Tasks/" + SID + "/Reservations/" + SID,
                request -> reservations.updateReservation(request, reservations.reservation(request, tasks.task(request).sid, null)));
        simulator.list(ws + "/Workers/" + SID + "/Reservations", reservations::listOfWorker);
        simulator.route("GET", ws + "/Workers/" + SID + "/Reservations/" + SID,
                request -> reservations.reservationJson(reservations.reservation(request, null, request.variable(2))));
        simulator.route("POST", ws + "/Workers/" + SID + "/Reservations/" + SID,
                request -> reservations.updateReservation(request, reservations.reservation(request, null, request.variable(2))));
    }
}
