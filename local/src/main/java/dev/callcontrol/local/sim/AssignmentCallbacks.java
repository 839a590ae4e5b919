package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * TaskRouter's assignment callback and the instructions that answer it
 * (https://www.twilio.com/docs/taskrouter/handle-assignment-callbacks): a new reservation is posted,
 * signed, to the workflow's {@code AssignmentCallbackUrl} (its fallback URL once on failure), and the
 * JSON instruction it answers is carried out: {@code accept}, {@code reject}, {@code conference}
 * (ring the worker, then the worker and the caller join a conference named by the task SID,
 * https://www.twilio.com/docs/taskrouter/api/reservations), {@code call},
 * {@code dequeue} and {@code redirect}. An answer is first checked against the Reservation update
 * it is the JSON form of ({@link ContractCheck#instructionViolations}); one that departs from it is
 * refused with an alert and not carried out. The same instructions given through the Reservation
 * resource's REST API ({@code Instruction=...}) come here too, checked as requests already. Every
 * method runs under the world's lock.
 */
final class AssignmentCallbacks {
    /** TaskRouter allows the assignment callback five seconds (https://www.twilio.com/docs/taskrouter/handle-assignment-callbacks). */
    private static final Duration ASSIGNMENT_TIMEOUT = Duration.ofSeconds(5);

    private final SimWorld world;

    AssignmentCallbacks(SimWorld world) {
        this.world = world;
    }

    void assignmentCallback(Reservation reservation, String url, String fallback) {
        Task task = world.tasks.get(reservation.taskSid);
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
        world.outbox.send(Outbox.Sender.TASKROUTER, "assignment callback for " + task.sid, "POST", url, parameters, ASSIGNMENT_TIMEOUT, response -> {
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
                // [rule taskrouter.assignment-callback.answer] https://www.twilio.com/docs/api/errors/40001
                world.alert(40001, "Assignment callback " + url + " answered what is not JSON: " + e.getMessage());
                return;
            }
            if (instruction.isObject() && instruction.isEmpty()) {
                return; // {}: the reservation is handled later, over REST
            }
            if (!instruction.isObject() || !instruction.has("instruction")) {
                // [rule taskrouter.assignment-callback.answer] https://www.twilio.com/docs/api/errors/40005
                world.alert(40005, "Assignment callback " + url + " answered JSON without 'instruction' for " + reservation.sid);
                return;
            }
            if (refusedByContract(reservation, instruction)) {
                return;
            }
            instruct(reservation, instruction, "assignment callback");
        });
    }

    /**
     * An instruction that departs from the Reservation update it stands for (an unknown key, a value
     * of the wrong type or outside an enum) is refused as TaskRouter refuses it: an alert with the
     * code Twilio documents for that parameter, and nothing done, so the reservation stays pending
     * until its timeout. Without Twilio's specs nothing is checked, as for REST requests. The same
     * instruction given over REST was checked as a request already.
     */
    private boolean refusedByContract(Reservation reservation, JsonNode instruction) {
        if (world.contract.isEmpty()) {
            return false;
        }
        // [rule taskrouter.assignment-instruction.contract]
        List<ContractCheck.InstructionViolation> violations = world.contract.get()
                .instructionViolations(world.taskRouter.workspaceSid(), reservation.taskSid, reservation.sid, instruction);
        if (violations.isEmpty()) {
            return false;
        }
        String name = instruction.path("instruction").asText("");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("rule", "taskrouter.assignment-instruction.contract");
        details.put("request", "POST /v1/Workspaces/" + world.taskRouter.workspaceSid() + "/Tasks/" + reservation.taskSid + "/Reservations/" + reservation.sid);
        details.put("violations", violations.stream().map(ContractCheck.InstructionViolation::toString).toList());
        world.alert(instructionErrorCode(violations.get(0).parameter()), "The " + name + " instruction for " + reservation.sid
                + " does not match the Reservation update's contract, so it was not carried out: "
                + String.join("; ", violations.stream().map(ContractCheck.InstructionViolation::toString).toList()), details);
        return true;
    }

    /**
     * The debugger code TaskRouter documents for a missing or invalid value of this parameter
     * (https://www.twilio.com/docs/api/errors/ followed by the code), and 55555, "an invalid
     * instruction was passed to TaskRouter when responding to a pending Reservation", for the rest.
     */
    static int instructionErrorCode(String parameter) {
        return switch (parameter == null ? "" : parameter) {
            case "WorkerActivitySid" -> 40100;
            case "CallTo" -> 40110;
            case "CallFrom" -> 40111;
            case "CallUrl" -> 40112;
            case "CallStatusCallbackUrl" -> 40158;
            case "RedirectUrl" -> 40120;
            case "RedirectCallSid" -> 40121;
            case "DequeuePostWorkActivitySid" -> 40130;
            case "DequeueTo" -> 40131;
            case "DequeueFrom" -> 40132;
            case "DequeueStatusCallbackEvent" -> 40134;
            case "DequeueStatusCallbackUrl" -> 40157;
            case "To" -> 40137;
            case "From" -> 40141;
            case "PostWorkActivitySid" -> 40143;
            case "Timeout" -> 14233;
            default -> 55555;
        };
    }

    // ---------------------------------------------------------------- instructions

    void instruct(Reservation reservation, JsonNode instruction, String source) {
        String name = instruction.path("instruction").asText("");
        switch (name) {
            case "accept" -> world.reservations.accept(reservation);
            case "reject" -> {
                String activity = instruction.path("activity_sid").asText(null);
                if (activity == null && !"REST API".equals(source) && world.rules.is("taskrouter.reject-instruction.activity-sid", "required")) {
                    world.alert(40100, "Reject instruction for " + reservation.sid + " has no activity_sid");
                    return;
                }
                world.reservations.reject(reservation, activity);
            }
            case "conference" -> conference(reservation, instruction);
            case "call" -> call(reservation, instruction);
            case "dequeue" -> dequeue(reservation, instruction);
            case "redirect" -> redirect(reservation, instruction);
            default -> {
                if ("REST API".equals(source)) {
                    throw new TwilioError(400, 20001, "Unknown instruction " + name);
                }
                // [rule taskrouter.assignment-instruction.contract] https://www.twilio.com/docs/api/errors/55555
                world.alert(55555, "Unknown assignment instruction '" + name + "' from the " + source + " for " + reservation.sid);
            }
        }
    }

    /**
     * The {@code conference} instruction: ring the worker; when they answer, accept the
     * reservation, put the worker and then the caller into a conference named by the task SID,
     * and record both call SIDs in the task's attributes.
     */
    // [rule taskrouter.conference-instruction]
    private void conference(Reservation reservation, JsonNode instruction) {
        Task task = world.tasks.get(reservation.taskSid);
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
            world.reservations.accept(reservation);
            task.connectedByConference = true;
            Conference conference = world.conferences.conferenceNamed(task.sid);
            String record = instruction.path("conference_record").asText("false");
            if (record.equals("true") || record.equals("record-from-start")) {
                // ConferenceRecord true or record-from-start; its status callback is called when the recording is available (completed).
                world.recordings.recordFromStart(conference, Voice.callback(instruction.path("conference_recording_status_callback").asText(null),
                        instruction.path("conference_recording_status_callback_method").asText(null), ConferenceRecordings.DEFAULT_EVENTS));
            }
            world.conferences.join(agent, conference, world.participants.newParticipant(conference, agent), workerSpec);
            SimCall customerLeg;
            if (outboundTo != null) {
                // [rule taskrouter.conference-instruction.outbound-to]
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
            // [rule taskrouter.conference-instruction.participants-attribute]
            Runnable writeParticipants = () -> {
                ObjectNode attributes = (ObjectNode) Json.parse(task.attributes, "attributes");
                ObjectNode conferenceNode = attributes.putObject("conference");
                conferenceNode.put("sid", conference.sid);
                ObjectNode participants = conferenceNode.putObject("participants");
                participants.put("worker", agent.sid);
                participants.put("customer", customerLeg.sid);
                task.attributes = attributes.toString();
                world.tasks.touch(task);
                world.taskRouterEvents.event("task.updated", task, null, Map.of());
            };
            if (world.rules.is("taskrouter.conference-instruction.participants-attribute", "when-dialled")) {
                writeParticipants.run();
            } else {
                world.clock.after(java.time.Duration.ofSeconds(1), "conference participants of " + task.sid + " written", writeParticipants);
            }
        };
        agent.onUnanswered = status -> workerLegFailed(reservation, status);
        world.calls.ring(agent, instruction.path("timeout").asInt(60));
    }

    /**
     * The {@code call} instruction: ring {@code to} and run {@code url} when answered; {@code accept}
     * accepts the reservation on answer or before the leg rings, as {@code taskrouter.call-instruction.accept} is read.
     */
    // [rule taskrouter.call-instruction]
    private void call(Reservation reservation, JsonNode instruction) {
        String url = instruction.path("url").asText(null);
        String from = instruction.path("from").asText(null);
        String to = instruction.path("to").asText(contactUri(reservation.workerSid));
        if (url == null || from == null || to == null) {
            world.alert(40114, "Call instruction for " + reservation.sid + " needs url, from and to (or a worker contact_uri)");
            return;
        }
        boolean accept = instruction.path("accept").asBoolean(false);
        boolean beforeDial = world.rules.is("taskrouter.call-instruction.accept", "before-dial");
        if (accept && beforeDial && reservation.status.equals("pending")) {
            world.reservations.accept(reservation);
        }
        SimCall leg = world.calls.newCall(from, to, "outbound-api", null);
        leg.statusCallback = Voice.callback(instruction.path("status_callback_url").asText(null), "POST", Set.of("completed"));
        reservation.workerCallSid = leg.sid;
        leg.onAnswer = () -> {
            if (accept && !beforeDial && reservation.status.equals("pending")) {
                world.reservations.accept(reservation);
            }
            world.twiml.fetchAndRun(leg, url, "POST", Map.of());
        };
        leg.onUnanswered = status -> workerLegFailed(reservation, status);
        world.calls.ring(leg, instruction.path("timeout").asInt(60));
    }

    /** The {@code dequeue} instruction: ring the worker and bridge the waiting caller straight to them. */
    // [rule taskrouter.dequeue-instruction]
    private void dequeue(Reservation reservation, JsonNode instruction) {
        Task task = world.tasks.get(reservation.taskSid);
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
                // The callback's JSON spells it status_callback_events (https://www.twilio.com/docs/api/errors/40134); REST, DequeueStatusCallbackEvent.
                events(instruction.has("status_callback_events") ? instruction.path("status_callback_events") : instruction.path("status_callback_event"),
                        Set.of("completed")));
        reservation.workerCallSid = agent.sid;
        agent.onAnswer = () -> {
            if (!reservation.status.equals("pending") || !customer.live()) {
                world.calls.end(agent, "completed");
                return;
            }
            world.reservations.accept(reservation);
            world.twiml.bridge(customer, agent);
        };
        agent.onUnanswered = status -> workerLegFailed(reservation, status);
        world.calls.ring(agent, instruction.path("timeout").asInt(60));
    }

    /** The {@code redirect} instruction: the call (usually the waiting caller) runs new TwiML. */
    // [rule taskrouter.redirect-instruction]
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
            world.reservations.accept(reservation);
        }
    }

    /** A worker's leg that was not answered, as the variant of {@code taskrouter.worker-leg.unanswered} in force reads it. */
    private void workerLegFailed(Reservation reservation, String status) {
        if (!reservation.status.equals("pending") || world.rules.is("taskrouter.worker-leg.unanswered", "waits-for-timeout")) {
            return;
        }
        if (status.equals("no-answer")) {
            world.reservations.timeOut(reservation);
        } else if (!status.equals("canceled")) {
            world.reservations.reject(reservation, null);
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
    static JsonNode instructionFromParameters(String instruction, TwilioSimulator.Call request) {
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
}
