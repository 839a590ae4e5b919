package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.base.TwilioResponse;
import com.twilio.exception.ApiException;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.taskrouter.v1.workspace.Task;
import com.twilio.rest.taskrouter.v1.workspace.Worker;
import com.twilio.rest.taskrouter.v1.workspace.task.Reservation;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.LocalDefaults;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TaskRouter's rules as the simulator plays them: tasks from calls and from the REST API, workflow
 * routing, reservations and their timeout, the signed assignment callback and the instructions it
 * answers, and what a caller hanging up or a worker declining does to a task.
 */
@SimRulesTest.Simulator(SimFixture.Product.CONNECTED)
class RoutingRulesTest extends SimRulesTest {
    private static final String WS = DemoWorkspace.WORKSPACE_SID;
    private static final String CALLER_ID = DemoWorkspace.PHONE_NUMBER;
    private static final Map<String, String> SUPPORT = Map.of(DemoWorkspace.ALICE, "alice", DemoWorkspace.BOB, "bob");

    @BeforeEach
    void seededAvailability() {
        product.assignment("{}");
        sim.setActivity("alice", "Available");
        sim.setActivity("bob", "Available");
        sim.setActivity("carol", "Available");
        sim.setActivity("sam", "Unavailable");
        sim.clearRequests();
        product.clear();
    }

    /**
     * Nothing left open: every call hung up and every task still open canceled or completed (the
     * assignment callback answering nothing meanwhile), the contract checked over that clean-up too;
     * the rules and the stand-in product are left as they are.
     */
    @Override
    @AfterEach
    void noContractViolationsNoAlertsAndNothingLeft() {
        List<JsonNode> alerts = StreamSupport.stream(sim.alerts().spliterator(), false).toList();
        product.assignment("{}");
        fixture.hangUpEverything();
        for (JsonNode task : sim.tasks()) {
            String status = task.path("assignment_status").asText();
            if (Set.of("pending", "reserved").contains(status)) {
                Task.updater(WS, task.path("sid").asText()).setAssignmentStatus(Task.Status.CANCELED).update(twilio);
            } else if (Set.of("assigned", "wrapping").contains(status)) {
                Task.updater(WS, task.path("sid").asText()).setAssignmentStatus(Task.Status.COMPLETED).update(twilio);
            }
        }
        List<String> violations = sim.contractViolations();
        sim.clearRequests();
        sim.clearAlerts();
        assertEquals(List.of(), violations, "requests that broke Twilio's contract");
        assertEquals(List.of(), alerts, "alerts Twilio's debugger would show");
    }

    // ---------------------------------------------------------------- tasks from calls

    @Test
    void aCallToTheDemoNumberBecomesATaskAndTheAssignmentCallbackDescribesTheReservation() {
        // Rule: <Enqueue workflowSid> makes a task carrying the call's details; the workflow reserves a fitting worker and
        // TaskRouter POSTs the signed assignment callback with the documented parameters.
        String customer = "+14155550201";
        String callSid = sim.dial(customer, null);

        Task task = taskOfCall(callSid);
        assertEquals(Task.Status.RESERVED, task.getAssignmentStatus());
        assertEquals(DemoWorkspace.SUPPORT_QUEUE, task.getTaskQueueSid());
        JsonNode attributes = Json.parse(task.getAttributes(), "attributes");
        assertEquals(callSid, attributes.path("call_sid").asText());
        assertEquals(customer, attributes.path("from").asText());
        assertEquals(customer, attributes.path("caller").asText());
        assertEquals(DemoWorkspace.PHONE_NUMBER, attributes.path("to").asText());
        assertEquals(DemoWorkspace.PHONE_NUMBER, attributes.path("called").asText());

        List<Reservation> reservations = reservations(task.getSid());
        assertEquals(1, reservations.size());
        Reservation reservation = reservations.get(0);
        assertEquals(Reservation.Status.PENDING, reservation.getReservationStatus());
        assertTrue(SUPPORT.containsKey(reservation.getWorkerSid()), "reserved for a support agent: " + reservation.getWorkerName());
        assertEquals("queued", sim.liveCall(customer).path("doing").asText(), "the caller waits in the queue");
        assertEquals(Set.of("music:" + Voice.DEFAULT_MUSIC), sim.hears(customer));

        List<FakeProduct.Hit> callbacks = product.hits(FakeProduct.ASSIGNMENT);
        assertEquals(1, callbacks.size());
        FakeProduct.Hit callback = callbacks.get(0);
        assertEquals("POST", callback.method());
        assertTrue(callback.signatureValid(), "the assignment callback is signed");
        assertEquals(LocalDefaults.ACCOUNT_SID, callback.param("AccountSid"));
        assertEquals(WS, callback.param("WorkspaceSid"));
        assertEquals(DemoWorkspace.WORKFLOW_SID, callback.param("WorkflowSid"));
        assertEquals(DemoWorkspace.SUPPORT_QUEUE, callback.param("TaskQueueSid"));
        assertEquals(reservation.getWorkerSid(), callback.param("WorkerSid"));
        assertEquals(Worker.fetcher(WS, reservation.getWorkerSid()).fetch(twilio).getAttributes(), callback.param("WorkerAttributes"));
        assertEquals(task.getSid(), callback.param("TaskSid"));
        assertEquals(attributes, Json.parse(callback.param("TaskAttributes"), "TaskAttributes"));
        assertEquals("0", callback.param("TaskAge"));
        assertEquals("0", callback.param("TaskPriority"));
        assertEquals(reservation.getSid(), callback.param("ReservationSid"));
    }

    @Test
    void anUnansweredReservationTimesOutMakesTheWorkerUnavailableAndGoesToTheNextWorker() {
        // Rule: a reservation nobody acts on times out after the workflow's task_reservation_timeout (120 s by default);
        // the worker moves to the workspace's timeout activity and the task is reserved for someone else.
        String callSid = sim.dial("+14155550202", null);
        Task task = taskOfCall(callSid);
        Reservation first = reservations(task.getSid()).get(0);

        sim.advance(119);
        assertEquals(Reservation.Status.PENDING, reservation(task.getSid(), first.getSid()).getReservationStatus());
        sim.advance(2);

        assertEquals(Reservation.Status.TIMEOUT, reservation(task.getSid(), first.getSid()).getReservationStatus());
        Worker timedOut = Worker.fetcher(WS, first.getWorkerSid()).fetch(twilio);
        assertEquals("Unavailable", timedOut.getActivityName());
        assertFalse(timedOut.getAvailable());
        List<Reservation> pending = reservations(task.getSid()).stream().filter(r -> r.getReservationStatus() == Reservation.Status.PENDING).toList();
        assertEquals(1, pending.size());
        assertNotEquals(first.getWorkerSid(), pending.get(0).getWorkerSid());
        assertTrue(SUPPORT.containsKey(pending.get(0).getWorkerSid()));
        assertEquals(Task.Status.RESERVED, Task.fetcher(WS, task.getSid()).fetch(twilio).getAssignmentStatus());
        assertTrue(product.hits(FakeProduct.EVENTS).stream().anyMatch(e -> "reservation.timeout".equals(e.param("EventType"))
                && first.getSid().equals(e.param("ReservationSid"))), "a reservation.timeout event");
    }

    @Test
    void aRejectedTaskIsRoutedOnButNeverOfferedAgainToAWorkerWhoRejectedIt() {
        // Rule: the reject instruction sends the task back to routing, and TaskRouter does not reserve it again for that worker.
        product.assignment(hit -> DemoWorkspace.SAM.equals(hit.param("WorkerSid")) ? "{}" : "{\"instruction\":\"reject\"}");
        String callSid = sim.dial("+14155550203", null);
        Task task = taskOfCall(callSid);

        List<Reservation> reservations = reservations(task.getSid());
        assertEquals(2, reservations.size(), "one offer to each support agent, then none: " + names(reservations));
        assertEquals(SUPPORT.keySet(), Set.copyOf(reservations.stream().map(Reservation::getWorkerSid).toList()));
        assertTrue(reservations.stream().allMatch(r -> r.getReservationStatus() == Reservation.Status.REJECTED));
        assertEquals(Task.Status.PENDING, Task.fetcher(WS, task.getSid()).fetch(twilio).getAssignmentStatus());
        assertTrue(Worker.fetcher(WS, DemoWorkspace.ALICE).fetch(twilio).getAvailable(), "a reject without activity_sid leaves the activity alone");

        // A worker becoming available makes TaskRouter route waiting tasks again: still not to those who rejected it.
        sim.setActivity("alice", "Unavailable");
        sim.setActivity("alice", "Available");
        assertEquals(2, reservations(task.getSid()).size());
        sim.setActivity("sam", "Available");
        List<Reservation> after = reservations(task.getSid());
        assertEquals(3, after.size());
        assertEquals(DemoWorkspace.SAM, after.get(2).getWorkerSid());
        assertEquals(Reservation.Status.PENDING, after.get(2).getReservationStatus());
    }

    // ---------------------------------------------------------------- tasks from the REST API

    @Test
    void aWorkflowWhoseExpressionUsesNullIsRefusedWhenSavedSinceTaskRouterDocumentsNoSuchConstant() {
        // Rule taskrouter.expression.constants: strings, numbers, booleans and arrays (https://www.twilio.com/docs/taskrouter/expression-syntax).
        String withNull = "{\"task_routing\":{\"filters\":[{\"filter_friendly_name\":\"agent\",\"expression\":\"requested_agent != null\","
                + "\"targets\":[{\"queue\":\"" + DemoWorkspace.SALES_QUEUE + "\"}]}],\"default_filter\":{\"queue\":\"" + DemoWorkspace.SALES_QUEUE + "\"}}}";
        ApiException refused = assertThrows(ApiException.class,
                () -> com.twilio.rest.taskrouter.v1.workspace.Workflow.creator(WS, "with null", withNull).create(twilio));
        assertEquals(400, refused.getStatusCode());
        assertTrue(refused.getMessage().contains("null is not a TaskRouter constant"), refused.getMessage());
        String documented = withNull.replace("requested_agent != null", "route == 'agent'");
        assertTrue(com.twilio.rest.taskrouter.v1.workspace.Workflow.creator(WS, "documented", documented).create(twilio).getSid().startsWith("WW"));
    }

    @Test
    void theWorkflowRoutesByRequestedAgentAndDesiredQueueAndWaitsForAnAvailableWorker() {
        // Rule: the workflow's filters decide the queue and worker (known_worker_sid from task.requested_agent; desired_queue);
        // a task with no available worker waits in its queue and is reserved once a fitting worker becomes Available.
        Task forCarol = Task.creator(WS).setWorkflowSid(DemoWorkspace.WORKFLOW_SID)
                .setAttributes("{\"route\":\"agent\",\"requested_agent\":\"" + DemoWorkspace.CAROL + "\"}").create(twilio);
        List<Reservation> carolReservations = reservations(forCarol.getSid());
        assertEquals(List.of(DemoWorkspace.CAROL), carolReservations.stream().map(Reservation::getWorkerSid).toList());
        assertEquals(DemoWorkspace.SALES_QUEUE, Task.fetcher(WS, forCarol.getSid()).fetch(twilio).getTaskQueueSid());
        cancel(forCarol.getSid());

        Task forSales = Task.creator(WS).setWorkflowSid(DemoWorkspace.WORKFLOW_SID).setAttributes("{\"desired_queue\":\"sales\"}").create(twilio);
        settle();
        Task routed = Task.fetcher(WS, forSales.getSid()).fetch(twilio);
        assertEquals(DemoWorkspace.SALES_QUEUE, routed.getTaskQueueSid());
        assertEquals(Task.Status.RESERVED, routed.getAssignmentStatus());
        assertTrue(Set.of(DemoWorkspace.BOB, DemoWorkspace.CAROL).contains(reservations(forSales.getSid()).get(0).getWorkerSid()));
        cancel(forSales.getSid());

        sim.setActivity("bob", "Unavailable");
        sim.setActivity("carol", "Offline");
        Task waiting = Task.creator(WS).setWorkflowSid(DemoWorkspace.WORKFLOW_SID).setAttributes("{\"desired_queue\":\"sales\"}").create(twilio);
        settle();
        Task queued = Task.fetcher(WS, waiting.getSid()).fetch(twilio);
        assertEquals(Task.Status.PENDING, queued.getAssignmentStatus());
        assertEquals(DemoWorkspace.SALES_QUEUE, queued.getTaskQueueSid());
        assertEquals(List.of(), reservations(waiting.getSid()));

        sim.setActivity("carol", "Available");
        assertEquals(Task.Status.RESERVED, Task.fetcher(WS, waiting.getSid()).fetch(twilio).getAssignmentStatus());
        assertEquals(List.of(DemoWorkspace.CAROL), reservations(waiting.getSid()).stream().map(Reservation::getWorkerSid).toList());
    }

    @Test
    void aTaskUpdateWithAStaleIfMatchIsRefusedAndChangesNothing() {
        // Rule: If-Match must carry the task's current ETag; otherwise the update fails with 412 and the task is unchanged.
        String original = "{\"route\":\"agent\",\"requested_agent\":\"" + DemoWorkspace.SAM + "\",\"note\":\"first\"}";
        Task created = Task.creator(WS).setWorkflowSid(DemoWorkspace.WORKFLOW_SID).setAttributes(original).create(twilio);
        settle();
        TwilioResponse<Task> fetched = Task.fetcher(WS, created.getSid()).fetchWithResponse(twilio);
        assertEquals(Task.Status.PENDING, fetched.getContent().getAssignmentStatus(), "sam is unavailable, so the task waits");
        String etag = etag(fetched);

        ApiException stale = assertThrows(ApiException.class, () -> Task.updater(WS, created.getSid()).setIfMatch(etag + "1")
                .setAttributes("{\"note\":\"stale\"}").update(twilio));
        assertEquals(412, stale.getStatusCode());
        TwilioResponse<Task> unchanged = Task.fetcher(WS, created.getSid()).fetchWithResponse(twilio);
        assertEquals(Json.parse(original, "original"), Json.parse(unchanged.getContent().getAttributes(), "attributes"));
        assertEquals(etag, etag(unchanged));

        String updated = "{\"route\":\"agent\",\"requested_agent\":\"" + DemoWorkspace.SAM + "\",\"note\":\"second\"}";
        Task changed = Task.updater(WS, created.getSid()).setIfMatch(etag).setAttributes(updated).update(twilio);
        assertEquals(Json.parse(updated, "updated"), Json.parse(changed.getAttributes(), "attributes"));
        assertNotEquals(etag, etag(Task.fetcher(WS, created.getSid()).fetchWithResponse(twilio)));
    }

    // ---------------------------------------------------------------- instructions

    @Test
    void theCallInstructionRingsTheWorkerAndAcceptsOnAnswer() {
        // Rule: the call instruction rings the worker's contact_uri from "from"; with accept=true the reservation is accepted
        // when the worker answers, and the call runs the TwiML at "url".
        product.twiml("/agent-greeting", "<Response><Say>A customer is waiting</Say></Response>");
        product.assignment("{\"instruction\":\"call\",\"accept\":true,\"from\":\"" + CALLER_ID + "\",\"url\":\"" + product.url("/agent-greeting") + "\"}");
        Task task = Task.creator(WS).setWorkflowSid(DemoWorkspace.WORKFLOW_SID).setAttributes("{\"desired_queue\":\"support\"}").create(twilio);
        Reservation reservation = reservations(task.getSid()).get(0);
        String worker = SUPPORT.get(reservation.getWorkerSid());
        assertNotNull(worker, "reserved for a support agent");

        String leg = sim.ringing(worker);
        Call ringing = Call.fetcher(leg).fetch(twilio);
        assertEquals("client:" + worker, ringing.getTo());
        assertEquals(CALLER_ID, ringing.getFrom());
        assertEquals(Reservation.Status.PENDING, reservation(task.getSid(), reservation.getSid()).getReservationStatus());
        assertEquals(List.of(), product.hits("/agent-greeting"));

        sim.answer(leg);

        assertEquals(Reservation.Status.ACCEPTED, reservation(task.getSid(), reservation.getSid()).getReservationStatus());
        assertEquals(Task.Status.ASSIGNED, Task.fetcher(WS, task.getSid()).fetch(twilio).getAssignmentStatus());
        List<FakeProduct.Hit> fetches = product.hits("/agent-greeting");
        assertEquals(1, fetches.size());
        assertEquals("POST", fetches.get(0).method());
        assertTrue(fetches.get(0).signatureValid());
        assertEquals(leg, fetches.get(0).param("CallSid"));
        assertEquals(Set.of("say:A customer is waiting"), sim.hears(worker));
    }

    @Test
    void aCallerHangingUpWhileQueuedCancelsTheTask() {
        // Rule: when the caller of an <Enqueue> task hangs up before being connected, TaskRouter cancels the task and its reservation.
        String callSid = sim.dial("+14155550204", null);
        Task task = taskOfCall(callSid);
        Reservation reservation = reservations(task.getSid()).get(0);

        sim.hangup(callSid);

        Task canceled = Task.fetcher(WS, task.getSid()).fetch(twilio);
        assertEquals(Task.Status.CANCELED, canceled.getAssignmentStatus());
        assertEquals(Reservation.Status.CANCELED, reservation(task.getSid(), reservation.getSid()).getReservationStatus());
        assertTrue(product.hits(FakeProduct.EVENTS).stream().anyMatch(e -> "task.canceled".equals(e.param("EventType"))
                && task.getSid().equals(e.param("TaskSid"))), "a task.canceled event");
        assertEquals(Call.Status.COMPLETED, Call.fetcher(callSid).fetch(twilio).getStatus());
    }

    @Test
    void aDeclinedConferenceLegRejectsTheReservationAndTheTaskGoesToAnotherWorker() {
        // Rule: with the conference instruction, a worker leg that ends busy rejects the reservation; the task is routed to
        // another worker, whose answer connects caller and worker in a conference.
        product.assignment("{\"instruction\":\"conference\",\"from\":\"" + CALLER_ID + "\"}");
        String customer = "+14155550205";
        String callSid = sim.dial(customer, null);
        Task task = taskOfCall(callSid);
        Reservation first = reservations(task.getSid()).get(0);
        String firstWorker = SUPPORT.get(first.getWorkerSid());

        sim.decline(sim.ringing(firstWorker));

        assertEquals(Reservation.Status.REJECTED, reservation(task.getSid(), first.getSid()).getReservationStatus());
        List<Reservation> all = reservations(task.getSid());
        assertEquals(2, all.size());
        Reservation second = all.get(1);
        assertNotEquals(first.getWorkerSid(), second.getWorkerSid());
        String secondWorker = SUPPORT.get(second.getWorkerSid());
        assertNotNull(secondWorker, "the other support agent");
        assertEquals(Reservation.Status.PENDING, second.getReservationStatus());

        sim.answer(sim.ringing(secondWorker));

        assertEquals(Reservation.Status.ACCEPTED, reservation(task.getSid(), second.getSid()).getReservationStatus());
        assertEquals(Task.Status.ASSIGNED, Task.fetcher(WS, task.getSid()).fetch(twilio).getAssignmentStatus());
        assertEquals(Set.of(secondWorker), sim.hears(customer));
        assertEquals(Set.of(customer), sim.hears(secondWorker));
    }

    // ---------------------------------------------------------------- helpers

    /** The task whose attributes name this call. */
    private static Task taskOfCall(String callSid) {
        List<Task> found = new ArrayList<>();
        for (Task task : Task.reader(WS).read(twilio)) {
            if (callSid.equals(Json.parse(task.getAttributes(), "attributes").path("call_sid").asText(null))) {
                found.add(task);
            }
        }
        assertEquals(1, found.size(), "tasks for call " + callSid);
        return found.get(0);
    }

    /** Lets the simulator settle: routing and webhooks run asynchronously, as at Twilio, and every control request waits for them. */
    private static void settle() {
        sim.hearing();
    }

    /** The task's reservations, oldest first. */
    private static List<Reservation> reservations(String taskSid) {
        settle();
        List<Reservation> found = new ArrayList<>();
        Reservation.reader(WS, taskSid).read(twilio).forEach(found::add);
        return found;
    }

    private static Reservation reservation(String taskSid, String reservationSid) {
        return Reservation.fetcher(WS, taskSid, reservationSid).fetch(twilio);
    }

    private static void cancel(String taskSid) {
        Task.updater(WS, taskSid).setAssignmentStatus(Task.Status.CANCELED).update(twilio);
    }

    private static List<String> names(List<Reservation> reservations) {
        return reservations.stream().map(r -> r.getWorkerName() + ":" + r.getReservationStatus()).toList();
    }

    private static String etag(TwilioResponse<Task> response) {
        return response.getHeaders().entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase("ETag")).map(Map.Entry::getValue)
                .findFirst().orElseThrow(() -> new AssertionError("no ETag in " + response.getHeaders()));
    }
}
