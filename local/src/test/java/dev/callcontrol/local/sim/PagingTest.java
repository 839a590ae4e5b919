package dev.callcontrol.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.base.Page;
import com.twilio.base.Reader;
import com.twilio.base.Resource;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.Conference;
import com.twilio.rest.api.v2010.account.conference.Participant;
import com.twilio.rest.taskrouter.v1.workspace.Task;
import com.twilio.rest.taskrouter.v1.workspace.Worker;
import com.twilio.rest.taskrouter.v1.workspace.task.Reservation;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;
import dev.callcontrol.http.Json;
import dev.callcontrol.local.LocalDefaults;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Twilio's list paging as the simulator plays it (rules voice.rest.paging, taskrouter.rest.paging and
 * the rest.paging ones): twilio-java's own readers walk calls, conferences, participants, workers,
 * tasks and reservations over more than one page and see every item exactly once, in pages of the
 * size they asked for; the 2010 envelope and TaskRouter's meta block carry the links Twilio's
 * examples show; and paging parameters Twilio refuses are refused with Twilio's errors.
 */
class PagingTest {
    private static final String WS = DemoWorkspace.WORKSPACE_SID;
    private static final String FROM = DemoWorkspace.PHONE_NUMBER;
    private static final String CALLS = "/2010-04-01/Accounts/" + LocalDefaults.ACCOUNT_SID + "/Calls.json";
    private static final String WORKERS = "/v1/Workspaces/" + WS + "/Workers";

    private static SimFixture fixture;
    private static TwilioSimulator simulator;
    private static SimClient sim;
    private static TwilioRestClient twilio;

    @BeforeAll
    static void start() throws Exception {
        fixture = SimFixture.start(SimFixture.Product.NONE);
        simulator = fixture.simulator;
        sim = fixture.sim;
        twilio = fixture.twilio;
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @AfterEach
    void noContractViolationsAndNothingLeftOpen() {
        List<String> violations = sim.contractViolations();
        for (int i = 0; i < 100; i++) {
            JsonNode calls = sim.hearing();
            if (calls.isEmpty()) {
                break;
            }
            sim.hangup(calls.get(0).path("callSid").asText());
        }
        for (JsonNode task : sim.tasks()) {
            if (Set.of("pending", "reserved").contains(task.path("assignment_status").asText())) {
                Task.updater(WS, task.path("sid").asText()).setAssignmentStatus(Task.Status.CANCELED).update(twilio);
            }
        }
        for (String worker : List.of("alice", "bob", "carol")) {
            sim.setActivity(worker, "Available");
        }
        sim.setActivity("sam", "Unavailable");
        sim.resetRules();
        sim.clearRequests();
        assertEquals(List.of(), violations, "requests that broke Twilio's contract");
    }

    // ---------------------------------------------------------------- twilio-java's readers

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"newest-first", "oldest-first"})
    void callsAreReadPageByPageEachOnceInTheListsOrder(String order) {
        sim.selectRule("voice.rest.list-order", order);
        String to = "+1415555" + (order.startsWith("newest") ? "0301" : "0302");
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(Call.creator(new PhoneNumber(to), new PhoneNumber(FROM), new Twiml("<Response><Say>paging</Say></Response>")).create(twilio).getSid());
        }

        List<String> seen = sids(Call.reader().setTo(new PhoneNumber(to)).pageSize(2), twilio, Call::getSid);
        assertEveryOnce(created, seen);
        List<String> expected = new ArrayList<>(created);
        if (order.equals("newest-first")) {
            java.util.Collections.reverse(expected);
        }
        assertEquals(expected, seen, "a stable order: " + order);
        assertEquals(List.of(2, 2, 2, 1), pageSizes(Call.reader().setTo(new PhoneNumber(to)).pageSize(2), twilio));
        assertTrue(sim.requests().stream().anyMatch(r -> r.path("parameters").has("PageToken")), "the later pages were asked for by token");
    }

    @Test
    void participantsAndConferencesAreReadPageByPage() {
        String room = "paging-room";
        List<String> callSids = new ArrayList<>();
        String conferenceSid = null;
        for (int i = 0; i < 5; i++) {
            Participant participant = Participant.creator(room, new PhoneNumber(FROM), new PhoneNumber("+141555503" + (10 + i))).create(twilio);
            sim.answer(participant.getCallSid());
            callSids.add(participant.getCallSid());
            conferenceSid = participant.getConferenceSid();
        }
        assertEveryOnce(callSids, sids(Participant.reader(conferenceSid).pageSize(2), twilio, Participant::getCallSid));
        assertEquals(List.of(2, 2, 1), pageSizes(Participant.reader(conferenceSid).pageSize(2), twilio));

        List<String> conferences = new ArrayList<>(List.of(conferenceSid));
        for (int i = 0; i < 4; i++) {
            Participant alone = Participant.creator("paging-room-" + i, new PhoneNumber(FROM), new PhoneNumber("+141555503" + (20 + i))).create(twilio);
            sim.answer(alone.getCallSid());
            conferences.add(alone.getConferenceSid());
        }
        List<String> live = sids(Conference.reader().setStatus(Conference.Status.IN_PROGRESS).pageSize(2), twilio, Conference::getSid);
        assertEveryOnce(conferences, live);
        assertEquals(List.of(2, 2, 1), pageSizes(Conference.reader().setStatus(Conference.Status.IN_PROGRESS).pageSize(2), twilio));
    }

    @Test
    void workersAreReadPageByPage() {
        List<String> seen = sids(Worker.reader(WS).pageSize(3), twilio, Worker::getSid);
        assertEquals(List.of(DemoWorkspace.ALICE, DemoWorkspace.BOB, DemoWorkspace.CAROL, DemoWorkspace.SAM), seen, "creation order, each once");
        assertEquals(List.of(3, 1), pageSizes(Worker.reader(WS).pageSize(3), twilio));
        assertEquals(List.of(DemoWorkspace.ALICE, DemoWorkspace.BOB), sids(Worker.reader(WS).setAvailable("true").pageSize(1).limit(2), twilio, Worker::getSid),
                "a limit stops the reader, not the simulator");
    }

    @Test
    void tasksAndTheirReservationsAreReadPageByPage() {
        sim.selectRule("taskrouter.reject.reoffer", "other-workers"); // which reservations exist depends on it, not the paging
        // Only alice can take work: each task is offered to her in turn, and a task she rejected is not offered to her again.
        for (String other : List.of("bob", "carol", "sam")) {
            sim.setActivity(other, "Offline");
        }
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tasks.add(Task.creator(WS).setWorkflowSid(DemoWorkspace.WORKFLOW_SID)
                    .setAttributes("{\"desired_queue\":\"support\",\"batch\":\"paging\",\"n\":" + i + "}").create(twilio).getSid());
        }
        Reader<Task> byBatch = Task.reader(WS).setEvaluateTaskAttributes("batch == \"paging\"").pageSize(2);
        assertEquals(tasks, sids(byBatch, twilio, Task::getSid), "ascending DateCreated, each once");
        assertEquals(List.of(2, 2, 1), pageSizes(Task.reader(WS).setEvaluateTaskAttributes("batch == \"paging\"").pageSize(2), twilio));

        List<String> aliceReservations = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sim.hearing(); // routing settles
            Reservation offered = pending(DemoWorkspace.ALICE);
            Reservation.updater(WS, offered.getTaskSid(), offered.getSid()).setReservationStatus(Reservation.Status.REJECTED).update(twilio);
            aliceReservations.add(offered.getSid());
            // Becoming available again is what has TaskRouter route the waiting tasks to her.
            sim.setActivity("alice", "Unavailable");
            sim.setActivity("alice", "Available");
        }
        // Her last return to Available has the fourth task offered to her: the rejected ones are the three she turned down.
        var rejected = com.twilio.rest.taskrouter.v1.workspace.worker.Reservation.Status.REJECTED;
        var ofAlice = com.twilio.rest.taskrouter.v1.workspace.worker.Reservation.reader(WS, DemoWorkspace.ALICE).setReservationStatus(rejected).pageSize(2);
        assertEquals(aliceReservations, sids(ofAlice, twilio, com.twilio.rest.taskrouter.v1.workspace.worker.Reservation::getSid));
        assertEquals(List.of(2, 1), pageSizes(com.twilio.rest.taskrouter.v1.workspace.worker.Reservation.reader(WS, DemoWorkspace.ALICE)
                .setReservationStatus(rejected).pageSize(2), twilio));

        // One task offered to three workers in turn: three reservations of one task, over two pages. The
        // batch's tasks are canceled first, so that alice is free of the one she was offered last.
        for (String batchTask : tasks) {
            Task.updater(WS, batchTask).setAssignmentStatus(Task.Status.CANCELED).update(twilio);
        }
        for (String other : List.of("bob", "sam")) {
            sim.setActivity(other, "Available");
        }
        String task = Task.creator(WS).setWorkflowSid(DemoWorkspace.WORKFLOW_SID).setAttributes("{\"desired_queue\":\"support\"}").create(twilio).getSid();
        List<String> ofTask = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sim.hearing();
            Reservation offered = StreamSupport.stream(Reservation.reader(WS, task).setReservationStatus(Reservation.Status.PENDING).read(twilio).spliterator(), false)
                    .findFirst().orElseThrow(() -> new AssertionError("no pending reservation of " + task));
            Reservation.updater(WS, task, offered.getSid()).setReservationStatus(Reservation.Status.REJECTED).update(twilio);
            ofTask.add(offered.getSid());
        }
        assertEquals(ofTask, sids(Reservation.reader(WS, task).pageSize(2), twilio, Reservation::getSid));
        assertEquals(List.of(2, 1), pageSizes(Reservation.reader(WS, task).pageSize(2), twilio));
    }

    // ---------------------------------------------------------------- the envelopes

    @Test
    void theVoiceEnvelopeLinksPagesThatKeepTheFiltersAndPlaceEachPageByToken() throws Exception {
        sim.selectRule("voice.rest.list-order", "newest-first"); // the links below name the SIDs of this order
        String to = "+14155550331";
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(Call.creator(new PhoneNumber(to), new PhoneNumber(FROM), new Twiml("<Response><Say>envelope</Say></Response>")).create(twilio).getSid());
        }
        List<String> newestFirst = new ArrayList<>(created);
        java.util.Collections.reverse(newestFirst);
        String filters = "To=%2B14155550331";
        String first = CALLS + "?" + filters + "&PageSize=2&Page=0";

        JsonNode page0 = get(CALLS + "?To=%2B14155550331&PageSize=2").body();
        assertEquals(first, page0.path("uri").asText());
        assertEquals(first, page0.path("first_page_uri").asText());
        assertEquals(CALLS + "?" + filters + "&PageSize=2&Page=1&PageToken=PA" + newestFirst.get(1), page0.path("next_page_uri").asText());
        assertTrue(page0.path("previous_page_uri").isNull());
        assertEquals(List.of(0, 2, 0, 1), List.of(page0.path("page").asInt(), page0.path("page_size").asInt(), page0.path("start").asInt(), page0.path("end").asInt()));
        assertEquals(newestFirst.subList(0, 2), sidsOf(page0.path("calls"), "sid"));

        JsonNode page1 = get(page0.path("next_page_uri").asText()).body();
        assertEquals(page0.path("next_page_uri").asText(), page1.path("uri").asText());
        assertEquals(first, page1.path("first_page_uri").asText());
        assertEquals(CALLS + "?" + filters + "&PageSize=2&Page=0&PageToken=PB" + newestFirst.get(2), page1.path("previous_page_uri").asText());
        assertEquals(List.of(1, 2, 2, 3), List.of(page1.path("page").asInt(), page1.path("page_size").asInt(), page1.path("start").asInt(), page1.path("end").asInt()));
        assertEquals(newestFirst.subList(2, 4), sidsOf(page1.path("calls"), "sid"));

        JsonNode back = get(page1.path("previous_page_uri").asText()).body();
        assertEquals(newestFirst.subList(0, 2), sidsOf(back.path("calls"), "sid"), "the previous link leads back to the same items");
        assertTrue(back.path("previous_page_uri").isNull());

        // A call that ends and so leaves a Status filter does not shift the pages after it.
        String ringing = CALLS + "?" + filters + "&Status=ringing&PageSize=2";
        JsonNode ringing0 = get(ringing).body();
        sim.hangup(newestFirst.get(1));
        JsonNode ringing1 = get(ringing0.path("next_page_uri").asText()).body();
        assertTrue(ringing0.path("next_page_uri").asText().contains("Status=ringing"), ringing0.toString());
        assertEquals(newestFirst.subList(2, 4), sidsOf(ringing1.path("calls"), "sid"));

        JsonNode last = get(page1.path("next_page_uri").asText()).body();
        assertEquals(List.of(newestFirst.get(4)), sidsOf(last.path("calls"), "sid"));
        assertTrue(last.path("next_page_uri").isNull(), "the last page has no next page");
        assertEquals(List.of(2, 4, 4), List.of(last.path("page").asInt(), last.path("start").asInt(), last.path("end").asInt()));

        JsonNode whole = get(CALLS + "?" + filters).body();
        assertEquals(50, whole.path("page_size").asInt(), "50 by default");
        assertEquals(5, whole.path("calls").size());
        assertTrue(whole.path("next_page_uri").isNull());

        JsonNode none = get(CALLS + "?To=%2B14155550399").body();
        assertEquals(List.of(0, 0, 0), List.of(none.path("calls").size(), none.path("start").asInt(), none.path("end").asInt()));
        assertTrue(none.path("next_page_uri").isNull() && none.path("previous_page_uri").isNull());
    }

    @Test
    void theTaskRouterMetaBlockLinksAbsolutePagesThatKeepTheFilters() throws Exception {
        String base = "https://taskrouter.twilio.com" + WORKERS;
        JsonNode page0 = get(WORKERS + "?Available=true&PageSize=2").body();
        JsonNode meta = page0.path("meta");
        assertEquals("workers", meta.path("key").asText());
        assertEquals(0, meta.path("page").asInt());
        assertEquals(2, meta.path("page_size").asInt());
        assertEquals(base + "?Available=true&PageSize=2&Page=0", meta.path("url").asText());
        assertEquals(base + "?Available=true&PageSize=2&Page=0", meta.path("first_page_url").asText());
        assertTrue(meta.path("previous_page_url").isNull());
        assertEquals(base + "?Available=true&PageSize=2&Page=1&PageToken=PA" + DemoWorkspace.BOB, meta.path("next_page_url").asText());
        assertEquals(List.of(DemoWorkspace.ALICE, DemoWorkspace.BOB), sidsOf(page0.path("workers"), "sid"));

        JsonNode page1 = get(meta.path("next_page_url").asText()).body();
        assertEquals(List.of(DemoWorkspace.CAROL), sidsOf(page1.path("workers"), "sid"), "sam is not available");
        assertEquals(1, page1.path("meta").path("page").asInt());
        assertTrue(page1.path("meta").path("next_page_url").isNull());
        assertEquals(base + "?Available=true&PageSize=2&Page=0&PageToken=PB" + DemoWorkspace.CAROL, page1.path("meta").path("previous_page_url").asText());

        JsonNode all = get(WORKERS).body().path("meta");
        assertEquals(50, all.path("page_size").asInt());
        assertTrue(all.path("next_page_url").isNull());
    }

    @Test
    void aTokenStillPlacesThePageOnceItsItemIsDeleted() throws Exception {
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tasks.add(Task.creator(WS).setWorkflowSid(DemoWorkspace.WORKFLOW_SID).setAttributes("{\"batch\":\"deleted\",\"n\":" + i + "}").create(twilio).getSid());
        }
        String list = "/v1/Workspaces/" + WS + "/Tasks?EvaluateTaskAttributes=" + java.net.URLEncoder.encode("batch == \"deleted\"", StandardCharsets.UTF_8) + "&PageSize=2";
        JsonNode page0 = get(list).body();
        Task.deleter(WS, tasks.get(1)).delete(twilio);
        JsonNode page1 = get(page0.path("meta").path("next_page_url").asText()).body();
        assertEquals(tasks.subList(2, 4), sidsOf(page1.path("tasks"), "sid"), "the page after the deleted task, nothing seen twice or skipped");
    }

    // ---------------------------------------------------------------- refusals

    @Test
    void pagingParametersTwilioRefusesGetTwiliosErrors() throws Exception {
        assertError(get(CALLS + "?PageSize=1001"), 20007);
        assertError(get(WORKERS + "?PageSize=5000"), 20007);
        Answer bare = get(CALLS + "?Page=1");
        assertError(bare, 20001);
        assertEquals("PageToken is required for paging.", bare.body().path("message").asText());
        assertError(get(WORKERS + "?PageSize=2&Page=3"), 20001);
        assertError(get(CALLS + "?PageToken=garbage"), 21481);
        assertError(get(CALLS + "?Page=1&PageToken=PA" + DemoWorkspace.ALICE), 21481);
        assertError(get(WORKERS + "?PageToken=PZ" + DemoWorkspace.ALICE), 21481);
        assertEquals(200, get(CALLS + "?PageSize=1000").status());
        assertEquals(200, get(WORKERS + "?PageSize=1").status());
        assertEquals(List.of(), sim.contractViolations(), "Twilio's own errors, not the contract's");

        assertError(get(CALLS + "?PageSize=0"), 20001);
        assertError(get(WORKERS + "?PageSize=abc"), 20001);
        assertError(get(CALLS + "?Page=-1"), 20001);
        sim.clearRequests(); // those three broke the contract on purpose
    }

    @Test
    void withoutTheContractCheckTheSimulatorRefusesTheSameWay() throws Exception {
        Assumptions.assumeTrue(simulator.contractChecked(), "this compares the two; with no specs the main simulator is already unchecked");
        try (TwilioSimulator unchecked = TwilioSimulator.start(new TwilioSimulator.Settings("127.0.0.1", 0, LocalDefaults.ACCOUNT_SID, LocalDefaults.AUTH_TOKEN, Optional.empty()))) {
            assertError(get(unchecked, CALLS + "?PageSize=1001"), 20007);
            assertError(get(unchecked, CALLS + "?PageSize=0"), 20001);
            assertError(get(unchecked, WORKERS + "?PageSize=x"), 20001);
            assertError(get(unchecked, WORKERS + "?Page=-2"), 20001);
            assertError(get(unchecked, WORKERS + "?PageToken=PAWK1"), 21481);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Every SID a reader's ResourceSet yields, following next_page_uri as twilio-java does. */
    private static <T extends Resource> List<String> sids(Reader<T> reader, TwilioRestClient client, Function<T, String> sid) {
        return StreamSupport.stream(reader.read(client).spliterator(), false).map(sid).toList();
    }

    /** The size of each page twilio-java fetches, first to last. */
    private static <T extends Resource> List<Integer> pageSizes(Reader<T> reader, TwilioRestClient client) {
        List<Integer> sizes = new ArrayList<>();
        Page<T> page = reader.firstPage(client);
        sizes.add(page.getRecords().size());
        while (page.hasNextPage()) {
            page = reader.nextPage(page, client);
            sizes.add(page.getRecords().size());
        }
        return sizes;
    }

    private static void assertEveryOnce(List<String> expected, List<String> seen) {
        assertEquals(seen.size(), new HashSet<>(seen).size(), "an item seen twice: " + seen);
        assertTrue(seen.containsAll(expected), "items missed: expected " + expected + " in " + seen);
    }

    private static Reservation pending(String worker) {
        for (JsonNode task : sim.tasks()) {
            for (Reservation reservation : Reservation.reader(WS, task.path("sid").asText()).setReservationStatus(Reservation.Status.PENDING).read(twilio)) {
                if (reservation.getWorkerSid().equals(worker)) {
                    return reservation;
                }
            }
        }
        throw new AssertionError("no pending reservation for " + worker);
    }

    private static List<String> sidsOf(JsonNode items, String field) {
        List<String> out = new ArrayList<>();
        items.forEach(item -> out.add(item.path(field).asText()));
        return out;
    }

    private record Answer(int status, JsonNode body) {
    }

    private static Answer get(String pathOrUrl) throws Exception {
        return get(simulator, pathOrUrl);
    }

    /** A GET of a path, a 2010 page URI or a TaskRouter page URL, sent to {@code target}. */
    private static Answer get(TwilioSimulator target, String pathOrUrl) throws Exception {
        String path = pathOrUrl.replaceFirst("^https://[a-z]+\\.twilio\\.com", "");
        String auth = Base64.getEncoder().encodeToString((LocalDefaults.ACCOUNT_SID + ":" + LocalDefaults.AUTH_TOKEN).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(target.baseUrl() + path))
                .header("Authorization", "Basic " + auth).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), Json.parse(response.body(), "answer"));
    }

    private static void assertError(Answer answer, int code) {
        assertEquals(400, answer.status(), answer.body().toString());
        assertEquals(code, answer.body().path("code").asInt(), answer.body().toString());
        assertFalse(answer.body().path("message").asText().isBlank());
        assertNull(answer.body().get("calls"));
    }
}
