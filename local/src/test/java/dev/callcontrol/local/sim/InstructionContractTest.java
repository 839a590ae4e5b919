package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.taskrouter.v1.workspace.Task;
import com.twilio.rest.taskrouter.v1.workspace.task.Reservation;
import dev.callcontrol.callsetup.CallInstruction;
import dev.callcontrol.callsetup.CallSetup;
import dev.callcontrol.callsetup.ConferenceInstruction;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.LocalDefaults;
import dev.callcontrol.taskrouter.AssignmentCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The assignment callback's JSON instructions are held to the contract of the Reservation update
 * they stand for, as REST requests are: the product's own instructions conform; an unknown key, a
 * value of the wrong type or one outside an enum is caught; and TaskRouter's answer to such an
 * instruction (an alert, nothing carried out, the reservation pending until its timeout) is what the
 * simulator does. Finding #10: {@code modify} among the conference events is refused on both paths.
 */
class InstructionContractTest {
    private static final String WS = DemoWorkspace.WORKSPACE_SID;
    private static final String CALLER_ID = DemoWorkspace.PHONE_NUMBER;
    private static final String TASK = "WT" + "0".repeat(32);
    private static final String RESERVATION = "WR" + "0".repeat(32);

    private static Optional<ContractCheck> contract;
    private static SimFixture fixture;
    private static TwilioSimulator simulator;
    private static SimClient sim;
    private static FakeProduct product;
    private static TwilioRestClient twilio;

    @BeforeAll
    static void start() throws Exception {
        fixture = SimFixture.start(SimFixture.Product.CONNECTED);
        contract = fixture.contract;
        simulator = fixture.simulator;
        sim = fixture.sim;
        product = fixture.product;
        twilio = fixture.twilio;
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @BeforeEach
    void supportAgentsAvailable() {
        product.assignment("{}");
        sim.setActivity("alice", "Available");
        sim.setActivity("bob", "Available");
        sim.clearRequests();
        sim.clearAlerts();
        product.clear();
    }

    @AfterEach
    void hangUpAndCancel() {
        product.assignment("{}");
        for (int i = 0; i < 20 && !sim.hearing().isEmpty(); i++) {
            sim.hangup(sim.hearing().get(0).path("callSid").asText());
        }
        for (JsonNode task : sim.tasks()) {
            if (Set.of("pending", "reserved").contains(task.path("assignment_status").asText())) {
                Task.updater(WS, task.path("sid").asText()).setAssignmentStatus(Task.Status.CANCELED).update(twilio);
            }
        }
        sim.clearRequests();
        sim.clearAlerts();
    }

    // ---------------------------------------------------------------- the contract

    @Test
    void theProductsConferenceAndCallInstructionsMatchTheReservationUpdate() {
        ContractCheck check = specs();
        String conference = AssignmentCallback.json(new ConferenceInstruction(CALLER_ID, "client:alice", 20, true,
                "https://cc.example.com" + CallSetup.CONFERENCE_EVENTS_PATH, CallSetup.CONFERENCE_EVENTS, false, true, false));
        String call = AssignmentCallback.json(new CallInstruction(CALLER_ID, "client:carol", "https://cc.example.com/twilio/transfer-leg?call=" + TASK,
                "https://cc.example.com" + CallSetup.CALL_EVENTS_PATH + "?call=" + TASK, 30, false));
        for (String instruction : List.of(conference, call, "{\"instruction\":\"reject\"}", "{\"instruction\":\"accept\"}")) {
            assertEquals(List.of(), check.instructionViolations(WS, TASK, RESERVATION, Json.parse(instruction, "instruction")), instruction);
        }
    }

    @Test
    void eachInstructionsKeysAreTheReservationUpdatesParametersUnderTheirPrefix() {
        ContractCheck check = specs();
        String activity = "WA" + "1".repeat(32);
        List<String> conforming = List.of(
                "{\"instruction\":\"reject\",\"activity_sid\":\"" + activity + "\"}",
                "{\"instruction\":\"dequeue\",\"from\":\"" + CALLER_ID + "\",\"to\":\"client:alice\",\"post_work_activity_sid\":\"" + activity
                        + "\",\"timeout\":20,\"status_callback_url\":\"https://cc.example.com/status\",\"status_callback_events\":\"initiated,completed\"}",
                "{\"instruction\":\"redirect\",\"call_sid\":\"CA" + "2".repeat(32) + "\",\"url\":\"https://cc.example.com/twiml\",\"accept\":true}",
                "{\"instruction\":\"call\",\"from\":\"" + CALLER_ID + "\",\"to\":\"client:alice\",\"url\":\"https://cc.example.com/leg\",\"accept\":\"true\",\"timeout\":\"25\"}",
                "{\"instruction\":\"conference\",\"from\":\"" + CALLER_ID + "\",\"conference_status_callback_event\":[\"start\",\"end\",\"speaker\"],"
                        + "\"beep\":\"onEnter\",\"wait_method\":\"GET\",\"status_callback_event\":[\"initiated\",\"completed\"],\"max_participants\":3}");
        for (String instruction : conforming) {
            assertEquals(List.of(), check.instructionViolations(WS, TASK, RESERVATION, Json.parse(instruction, "instruction")), instruction);
        }
        assertEquals("CallUrl", ContractCheck.parameterOf("call", "url"));
        assertEquals("RedirectCallSid", ContractCheck.parameterOf("redirect", "call_sid"));
        assertEquals("ConferenceStatusCallbackEvent", ContractCheck.parameterOf("conference", "conference_status_callback_event"));
        assertEquals("WorkerActivitySid", ContractCheck.parameterOf("reject", "activity_sid"));
        assertNull(ContractCheck.parameterOf("conference", "From"), "keys are snake_case");
    }

    @Test
    void anUnknownKeyAWrongTypeAndAValueOutsideAnEnumAreEachCaught() {
        ContractCheck check = specs();
        // room_name appears in the examples of Twilio's error pages (40141, 40143) but is no parameter of the Reservation update.
        assertViolation(check, "{\"instruction\":\"conference\",\"from\":\"" + CALLER_ID + "\",\"room_name\":\"abc\"}", "room_name", null);
        assertViolation(check, "{\"instruction\":\"call\",\"from\":\"" + CALLER_ID + "\",\"url\":\"https://cc.example.com/leg\",\"status_callback\":\"https://cc.example.com/s\"}",
                "status_callback", null);
        assertViolation(check, "{\"instruction\":\"conference\",\"from\":\"" + CALLER_ID + "\",\"timeout\":\"soon\"}", "timeout", "Timeout");
        assertViolation(check, "{\"instruction\":\"conference\",\"from\":\"" + CALLER_ID + "\",\"end_conference_on_exit\":\"yes\"}",
                "end_conference_on_exit", "EndConferenceOnExit");
        assertViolation(check, "{\"instruction\":\"conference\",\"from\":{\"number\":\"" + CALLER_ID + "\"}}", "from", "From");
        assertViolation(check, "{\"instruction\":\"call\",\"to\":[\"client:alice\"],\"url\":\"https://cc.example.com/leg\"}", "to", "CallTo");
        assertViolation(check, "{\"instruction\":\"call\",\"accept\":\"maybe\",\"url\":\"https://cc.example.com/leg\"}", "accept", "CallAccept");
        assertViolation(check, "{\"instruction\":\"conference\",\"from\":\"" + CALLER_ID + "\",\"conference_status_callback_method\":\"PUT\"}",
                "conference_status_callback_method", "ConferenceStatusCallbackMethod");
        assertViolation(check, "{\"instruction\":\"redirect\",\"call_sid\":\"XX123\",\"url\":\"https://cc.example.com/twiml\"}", "call_sid", "RedirectCallSid");
        // Lists are checked element by element, given as an array or as comma-separated text.
        for (String events : List.of("\"start,end,modify\"", "[\"start\",\"modify\"]")) {
            List<ContractCheck.InstructionViolation> found = assertViolation(check, "{\"instruction\":\"conference\",\"from\":\"" + CALLER_ID
                    + "\",\"conference_status_callback_event\":" + events + "}", "conference_status_callback_event", "ConferenceStatusCallbackEvent");
            assertTrue(found.get(0).problem().contains("modify"), found.toString());
        }
    }

    @Test
    void eachRefusalCarriesTheCodeTwilioDocumentsForItsParameter() {
        assertEquals(40100, AssignmentCallbacks.instructionErrorCode("WorkerActivitySid"));
        assertEquals(40110, AssignmentCallbacks.instructionErrorCode("CallTo"));
        assertEquals(40121, AssignmentCallbacks.instructionErrorCode("RedirectCallSid"));
        assertEquals(40134, AssignmentCallbacks.instructionErrorCode("DequeueStatusCallbackEvent"));
        assertEquals(14233, AssignmentCallbacks.instructionErrorCode("Timeout"));
        assertEquals(55555, AssignmentCallbacks.instructionErrorCode("ConferenceStatusCallbackEvent"));
        assertEquals(55555, AssignmentCallbacks.instructionErrorCode(null), "an unknown key");
    }

    // ---------------------------------------------------------------- what TaskRouter does with it (finding #10)

    @Test
    void anAssignmentCallbackAskingForModifyIsRefusedWithAnAlertAndTheReservationWaitsForItsTimeout() {
        specs();
        product.assignment("{\"instruction\":\"conference\",\"from\":\"" + CALLER_ID + "\",\"conference_status_callback\":\"" + product.url("/conference-events")
                + "\",\"conference_status_callback_event\":\"start,end,join,leave,modify\"}");
        String customer = "+14155550301";
        sim.dial(customer, null);
        Reservation reservation = onlyReservation();

        JsonNode alert = onlyAlert();
        assertEquals(55555, alert.path("code").asInt());
        assertEquals("taskrouter.assignment-instruction.contract", alert.path("rule").asText());
        assertTrue(alert.path("message").asText().contains("modify"), alert.toString());
        List<String> violations = sim.contractViolations();
        assertEquals(1, violations.size(), violations.toString());
        assertTrue(violations.get(0).startsWith("assignment instruction for POST /v1/Workspaces/" + WS + "/Tasks/" + reservation.getTaskSid()
                + "/Reservations/" + reservation.getSid() + ": key conference_status_callback_event (ConferenceStatusCallbackEvent)"), violations.get(0));
        assertEquals(1, sim.hearing().size(), "nobody's phone rings: only the caller is on a call");
        assertEquals(Set.of("music:" + Voice.DEFAULT_MUSIC), sim.hears(customer), "the caller still waits in the queue");

        sim.advance(119);
        assertEquals(Reservation.Status.PENDING, fetch(reservation).getReservationStatus());
        sim.advance(2);
        assertEquals(Reservation.Status.TIMEOUT, fetch(reservation).getReservationStatus(), "nothing handled it, so it timed out");
    }

    @Test
    void theSameModifyOverRestIsRefusedWith400NamingTheParameter() throws Exception {
        specs();
        sim.dial("+14155550302", null);
        Reservation reservation = onlyReservation();
        String form = "Instruction=conference&From=" + URLEncoder.encode(CALLER_ID, StandardCharsets.UTF_8)
                + "&ConferenceStatusCallbackEvent=start&ConferenceStatusCallbackEvent=modify";
        HttpResponse<String> refused = post("/v1/Workspaces/" + WS + "/Tasks/" + reservation.getTaskSid() + "/Reservations/" + reservation.getSid(), form);

        assertEquals(400, refused.statusCode(), refused.body());
        JsonNode error = Json.parse(refused.body(), "error");
        assertEquals(20001, error.path("code").asInt());
        assertTrue(error.path("message").asText().contains("ConferenceStatusCallbackEvent"), refused.body());
        assertEquals(Reservation.Status.PENDING, fetch(reservation).getReservationStatus());
        assertEquals(1, sim.hearing().size(), "nobody's phone rings");
        List<String> violations = sim.contractViolations();
        assertEquals(1, violations.size(), violations.toString());
        assertTrue(violations.get(0).contains("ConferenceStatusCallbackEvent"), violations.get(0));
    }

    @Test
    void anInstructionOfTheWrongTypeGetsTheCodeForItsParameterAndRingsNobody() {
        specs();
        product.assignment("{\"instruction\":\"call\",\"from\":\"" + CALLER_ID + "\",\"to\":[\"client:alice\"],\"url\":\"" + product.url("/leg") + "\"}");
        Task task = Task.creator(WS).setWorkflowSid(DemoWorkspace.WORKFLOW_SID).setAttributes("{\"desired_queue\":\"support\"}").create(twilio);
        Reservation reservation = onlyReservation();

        assertEquals(task.getSid(), reservation.getTaskSid());
        assertEquals(40110, onlyAlert().path("code").asInt(), "missing or invalid 'to' parameter - call instruction");
        assertEquals(List.of(), StreamSupport.stream(sim.hearing().spliterator(), false).toList());
        assertEquals(Reservation.Status.PENDING, fetch(reservation).getReservationStatus());
    }

    @Test
    void anAnswerThatIsNotJsonOrHasNoInstructionIsAWarningAndNothingIsDone() {
        product.assignment("instruction: accept");
        Task.creator(WS).setWorkflowSid(DemoWorkspace.WORKFLOW_SID).setAttributes("{\"desired_queue\":\"support\"}").create(twilio);
        Reservation first = onlyReservation();
        assertEquals(40001, onlyAlert().path("code").asInt());
        assertEquals(Reservation.Status.PENDING, fetch(first).getReservationStatus());
        sim.clearAlerts();
        Task.updater(WS, first.getTaskSid()).setAssignmentStatus(Task.Status.CANCELED).update(twilio);

        product.assignment("{\"accept\":true}");
        Task.creator(WS).setWorkflowSid(DemoWorkspace.WORKFLOW_SID).setAttributes("{\"desired_queue\":\"support\"}").create(twilio);
        Reservation second = pendingReservations().get(0);
        assertEquals(40005, onlyAlert().path("code").asInt());
        assertEquals(Reservation.Status.PENDING, fetch(second).getReservationStatus());
    }

    @Test
    void withoutTwiliosSpecsInstructionsAreNotChecked() throws Exception {
        try (TwilioSimulator unchecked = TwilioSimulator.start(new TwilioSimulator.Settings("127.0.0.1", 0, LocalDefaults.ACCOUNT_SID,
                LocalDefaults.AUTH_TOKEN, Optional.empty()));
             FakeProduct answering = FakeProduct.start(LocalDefaults.AUTH_TOKEN)) {
            unchecked.connectProduct(answering.url(FakeProduct.ASSIGNMENT), null);
            answering.assignment("{\"instruction\":\"conference\",\"from\":\"" + CALLER_ID + "\",\"conference_status_callback_event\":\"start,modify\"}");
            SimClient other = new SimClient(unchecked.baseUrl());
            other.setActivity("alice", "Available");
            other.dial("+14155550303", null);

            assertEquals(List.of(), StreamSupport.stream(other.alerts().spliterator(), false).toList());
            assertEquals(List.of(), other.contractViolations());
            assertEquals(2, other.hearing().size(), "the instruction was carried out: the worker's phone rings");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static ContractCheck specs() {
        Assumptions.assumeTrue(contract.isPresent(), "contract check skipped: Twilio's OpenAPI specs not found; set TWILIO_OAI_DIR");
        return contract.get();
    }

    /** Asserts the instruction breaks the contract, and only in this key and parameter (null: no parameter); answers how. */
    private static List<ContractCheck.InstructionViolation> assertViolation(ContractCheck check, String instruction, String key, String parameter) {
        List<ContractCheck.InstructionViolation> found = check.instructionViolations(WS, TASK, RESERVATION, Json.parse(instruction, "instruction"));
        assertTrue(!found.isEmpty(), instruction + " passed");
        for (ContractCheck.InstructionViolation violation : found) {
            assertEquals(key, violation.key(), instruction + " -> " + found);
            assertEquals(parameter, violation.parameter(), instruction + " -> " + found);
        }
        return found;
    }

    private static JsonNode onlyAlert() {
        List<JsonNode> alerts = StreamSupport.stream(sim.alerts().spliterator(), false).toList();
        assertEquals(1, alerts.size(), alerts.toString());
        return alerts.get(0);
    }

    private static Reservation onlyReservation() {
        List<Reservation> pending = pendingReservations();
        assertEquals(1, pending.size(), pending.toString());
        return pending.get(0);
    }

    private static List<Reservation> pendingReservations() {
        List<Reservation> pending = new ArrayList<>();
        for (JsonNode task : sim.tasks()) {
            for (Reservation reservation : Reservation.reader(WS, task.path("sid").asText()).read(twilio)) {
                if (reservation.getReservationStatus() == Reservation.Status.PENDING) {
                    pending.add(reservation);
                }
            }
        }
        return pending;
    }

    private static Reservation fetch(Reservation reservation) {
        return Reservation.fetcher(WS, reservation.getTaskSid(), reservation.getSid()).fetch(twilio);
    }

    /** A form POST twilio-java would not send (its enum has no {@code modify}). */
    private static HttpResponse<String> post(String path, String form) throws Exception {
        String auth = Base64.getEncoder().encodeToString((LocalDefaults.ACCOUNT_SID + ":" + LocalDefaults.AUTH_TOKEN).getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
                .header("Authorization", "Basic " + auth).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
