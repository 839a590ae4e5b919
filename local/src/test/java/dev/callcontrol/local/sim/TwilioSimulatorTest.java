package dev.callcontrol.local.sim;

import com.twilio.base.ResourceSet;
import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.taskrouter.v1.workspace.Activity;
import com.twilio.rest.taskrouter.v1.workspace.TaskQueue;
import com.twilio.rest.taskrouter.v1.workspace.Worker;
import com.twilio.rest.taskrouter.v1.workspace.Workflow;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.config.Config;
import dev.callcontrol.local.LocalDefaults;
import dev.callcontrol.testing.Project;
import dev.callcontrol.testing.Webhooks;
import dev.callcontrol.twilio.TwilioClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulator's REST surface, reached the way the product reaches it: twilio-java through TWILIO_API_BASE_URL. */
class TwilioSimulatorTest {
    private static final String WS = DemoWorkspace.WORKSPACE_SID;
    private static TwilioSimulator simulator;
    private static SimClient sim;

    @BeforeAll
    static void start() throws Exception {
        var specs = ContractCheck.defaultDirectory(System.getenv(), Project.root());
        var contract = ContractCheck.load(specs);
        if (contract.isEmpty()) {
            System.out.println("[simulator] contract check off: Twilio's OpenAPI specs not found at " + specs
                    + "; point TWILIO_OAI_DIR at a checkout of twilio/twilio-oai's spec/json folder");
        }
        simulator = TwilioSimulator.start(new TwilioSimulator.Settings("127.0.0.1", 0, LocalDefaults.ACCOUNT_SID, LocalDefaults.AUTH_TOKEN, contract));
        sim = new SimClient(simulator.baseUrl());
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    @AfterEach
    void noContractViolationsAndNoFaultsLeft() {
        sim.clearFaults();
        List<String> violations = sim.contractViolations();
        sim.clearRequests();
        assertEquals(List.of(), violations, "requests that broke Twilio's contract");
    }

    private static TwilioRestClient client(String token) {
        Map<String, String> env = new HashMap<>(Webhooks.localEnvironment());
        env.put("TWILIO_AUTH_TOKEN", token);
        env.put("TWILIO_API_BASE_URL", simulator.baseUrl());
        return TwilioClients.restClient(Config.of(env));
    }

    private static TwilioRestClient client() {
        return client(LocalDefaults.AUTH_TOKEN);
    }

    private static <T extends com.twilio.base.Resource> List<T> all(ResourceSet<T> set) {
        return StreamSupport.stream(set.spliterator(), false).toList();
    }

    @Test
    void seededWorkspaceIsServedAtTwiliosPaths() {
        List<Worker> workers = all(Worker.reader(WS).read(client()));
        assertEquals(List.of("alice", "bob", "carol", "sam"), workers.stream().map(Worker::getFriendlyName).toList());
        Worker alice = Worker.fetcher(WS, DemoWorkspace.ALICE).fetch(client());
        assertTrue(alice.getAttributes().contains("\"contact_uri\":\"client:alice\""), alice.getAttributes());
        assertTrue(alice.getAvailable());
        List<TaskQueue> sales = all(TaskQueue.reader(WS).setFriendlyName("sales").read(client()));
        assertEquals(List.of(DemoWorkspace.SALES_QUEUE), sales.stream().map(TaskQueue::getSid).toList());
        assertEquals(4, all(Activity.reader(WS).read(client())).size());
        Workflow workflow = Workflow.fetcher(WS, DemoWorkspace.WORKFLOW_SID).fetch(client());
        assertTrue(workflow.getConfiguration().contains("task.requested_agent"));
    }

    @Test
    void workerActivityDecidesAvailability() {
        Worker bob = Worker.updater(WS, DemoWorkspace.BOB).setActivitySid(DemoWorkspace.OFFLINE).update(client());
        assertEquals("Offline", bob.getActivityName());
        assertFalse(bob.getAvailable());
        List<String> available = all(Worker.reader(WS).setAvailable("true").read(client())).stream().map(Worker::getFriendlyName).toList();
        assertEquals(List.of("alice", "carol"), available);
        sim.setActivity("bob", "Available");
        JsonNode directory = sim.workers();
        JsonNode bobInDirectory = StreamSupport.stream(directory.path("workers").spliterator(), false)
                .filter(w -> w.path("name").asText().equals("bob")).findFirst().orElseThrow();
        assertTrue(bobInDirectory.path("available").asBoolean());
        assertEquals("client:bob", bobInDirectory.path("contactUri").asText());
        assertEquals(DemoWorkspace.PHONE_NUMBER, directory.path("phoneNumber").asText());
    }

    @Test
    void workflowsCanBeCreatedAndPointedAtTheProduct() {
        Workflow created = Workflow.creator(WS, "Transfers", "{\"task_routing\":{\"filters\":[]}}").create(client());
        assertTrue(created.getSid().startsWith("WW"));
        Workflow updated = Workflow.updater(WS, created.getSid())
                .setAssignmentCallbackUrl(URI.create("http://127.0.0.1:3000/twilio/assignment")).update(client());
        assertEquals(URI.create("http://127.0.0.1:3000/twilio/assignment"), updated.getAssignmentCallbackUrl());
        assertEquals(2, all(Workflow.reader(WS).read(client())).size());
    }

    @Test
    void wrongCredentialsAreRefusedLikeTwilio() {
        ApiException error = assertThrows(ApiException.class, () -> Worker.fetcher(WS, DemoWorkspace.ALICE).fetch(client("wrong-token")));
        assertEquals(401, error.getStatusCode());
        assertEquals(20003, error.getCode());
    }

    @Test
    void anApiKeysSidAndSecretAuthenticateForTheAccount() {
        String keySid = "SK000000000000000000000000000000a7";
        simulator.acceptApiKey(keySid, "key-secret");
        var key = dev.callcontrol.twilio.TwilioClients.restClient(
                new dev.callcontrol.twilio.TwilioClients.Settings(LocalDefaults.ACCOUNT_SID, keySid, "key-secret", simulator.baseUrl()));
        assertEquals(DemoWorkspace.ALICE, Worker.fetcher(WS, DemoWorkspace.ALICE).fetch(key).getSid());
        for (String[] wrong : new String[][] {{keySid, "other-secret"}, {"SK000000000000000000000000000000a8", "key-secret"}, {keySid, LocalDefaults.AUTH_TOKEN}}) {
            var refused = dev.callcontrol.twilio.TwilioClients.restClient(
                    new dev.callcontrol.twilio.TwilioClients.Settings(LocalDefaults.ACCOUNT_SID, wrong[0], wrong[1], simulator.baseUrl()));
            ApiException error = assertThrows(ApiException.class, () -> Worker.fetcher(WS, DemoWorkspace.ALICE).fetch(refused));
            assertEquals(401, error.getStatusCode(), wrong[0]);
            assertEquals(20003, error.getCode());
        }
    }

    @Test
    void unknownResourcesAre20404() {
        ApiException error = assertThrows(ApiException.class,
                () -> Worker.fetcher(WS, "WK" + "f".repeat(32)).fetch(client()));
        assertEquals(404, error.getStatusCode());
        assertEquals(20404, error.getCode());
    }

    @Test
    void everyRequestIsLogged() {
        Worker.fetcher(WS, DemoWorkspace.ALICE).fetch(client());
        Worker.updater(WS, DemoWorkspace.CAROL).setActivitySid(DemoWorkspace.AVAILABLE).update(client());
        List<JsonNode> log = sim.requests();
        assertEquals(2, log.size());
        assertEquals("GET", log.get(0).path("method").asText());
        assertEquals("taskrouter.twilio.com", log.get(0).path("host").asText());
        assertEquals("/v1/Workspaces/" + WS + "/Workers/" + DemoWorkspace.ALICE, log.get(0).path("path").asText());
        assertEquals(200, log.get(0).path("status").asInt());
        assertEquals(DemoWorkspace.AVAILABLE, log.get(1).path("parameters").path("ActivitySid").get(0).asText());
    }

    @Test
    void theNthMatchingRequestCanFailWith429() {
        sim.addFault(Map.of("method", "GET", "path", "/Workers/WK[0-9a-f]+$", "nth", 2, "status", 429));
        Worker.fetcher(WS, DemoWorkspace.ALICE).fetch(client());
        ApiException throttled = assertThrows(ApiException.class, () -> Worker.fetcher(WS, DemoWorkspace.ALICE).fetch(client()));
        assertEquals(429, throttled.getStatusCode());
        assertEquals(20429, throttled.getCode());
        Worker.fetcher(WS, DemoWorkspace.ALICE).fetch(client());
        assertEquals(List.of(200, 429, 200), sim.requests().stream().map(r -> r.path("status").asInt()).toList());
    }

    @Test
    void aHangingRequestLeavesTheClientWithoutAnAnswer() {
        // times 2: the JDK client retries an idempotent GET once when the connection drops.
        sim.addFault(Map.of("method", "GET", "path", "/Activities$", "nth", 1, "times", 2, "hang", true, "delayMillis", 200));
        assertThrows(ApiConnectionException.class, () -> all(Activity.reader(WS).read(client())));
        assertEquals(4, all(Activity.reader(WS).read(client())).size());
    }

    @Test
    void requestsOutsideTwiliosContractAreRefusedNamingTheParameter() throws Exception {
        Assumptions.assumeTrue(simulator.contractChecked(), "contract check skipped: Twilio's OpenAPI specs not found; set TWILIO_OAI_DIR");
        List<String> problems = new ArrayList<>();
        problems.add(raw("POST", "/v1/Workspaces/" + WS + "/Workers/" + DemoWorkspace.ALICE, "ActivitySid=" + DemoWorkspace.AVAILABLE + "&Bogus=1"));
        problems.add(raw("GET", "/2010-04-01/Accounts/" + LocalDefaults.ACCOUNT_SID + "/Conferences.json?Status=ringing", null));
        problems.add(raw("GET", "/v1/Workspaces/" + WS + "/Workers/XX123", null));
        assertTrue(problems.get(0).contains("Bogus"), problems.get(0));
        assertTrue(problems.get(1).contains("Status"), problems.get(1));
        assertTrue(problems.get(2).contains("Sid"), problems.get(2));
        List<String> logged = sim.contractViolations();
        assertEquals(3, sim.requests().stream().filter(r -> r.path("violations").size() > 0).count(), logged.toString());
        sim.clearRequests();
    }

    @Test
    void malformedNumbersAndUnknownMethodsGetTwilioErrorsNotADroppedConnection() throws Exception {
        assertEquals(400, rawStatus("GET", "/v1/Workspaces/" + WS + "/Workers?PageSize=-1"));
        assertEquals(405, rawStatus("PUT", "/v1/Workspaces/" + WS + "/Workers"));
        sim.clearRequests(); // the PageSize request broke the contract on purpose
    }

    @Test
    void refusedRequestsDoNotUseUpAFault() {
        // The product's client sends each request once (twilio-java's own 5xx retry is off; FaultPolicy decides).
        sim.addFault(Map.of("method", "GET", "path", "/Workers/WK[0-9a-f]+$", "nth", 1, "times", 1, "status", 503));
        assertThrows(ApiException.class, () -> Worker.fetcher(WS, DemoWorkspace.ALICE).fetch(client("wrong-token")));
        ApiException unavailable = assertThrows(ApiException.class, () -> Worker.fetcher(WS, DemoWorkspace.ALICE).fetch(client()));
        assertEquals(503, unavailable.getStatusCode());
        assertEquals(20503, unavailable.getCode());
        assertEquals(List.of(401, 503), sim.requests().stream().map(r -> r.path("status").asInt()).toList());
    }

    private static int rawStatus(String method, String path) throws Exception {
        String auth = Base64.getEncoder().encodeToString((LocalDefaults.ACCOUNT_SID + ":" + LocalDefaults.AUTH_TOKEN).getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path)).header("Authorization", "Basic " + auth)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Sends a request twilio-java would never send; returns the 400 error's message. */
    private static String raw(String method, String path, String form) throws Exception {
        String auth = Base64.getEncoder().encodeToString((LocalDefaults.ACCOUNT_SID + ":" + LocalDefaults.AUTH_TOKEN).getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path)).header("Authorization", "Basic " + auth);
        if (form != null) {
            request.header("Content-Type", "application/x-www-form-urlencoded").method(method, HttpRequest.BodyPublishers.ofString(form));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, response.statusCode(), response.body());
        return response.body();
    }
}
