package dev.callcontrol.calls;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.testing.InMemoryCallRecords;
import dev.callcontrol.twilio.TwilioClients;
import dev.callcontrol.twilio.TwilioTelephony;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

import static dev.callcontrol.calls.ConnectedCall.AGENT_LEG;
import static dev.callcontrol.calls.ConnectedCall.ALICE;
import static dev.callcontrol.calls.ConnectedCall.CAROL;
import static dev.callcontrol.calls.ConnectedCall.CUSTOMER_LEG;
import static dev.callcontrol.calls.ConnectedCall.SETTINGS;
import static dev.callcontrol.calls.ConnectedCall.TASK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A transfer whose task create never gets an answer: the create is cut when the invocation's forward
 * time is up, and the undo steps (the customer resumed over Twilio, the record's claim cleared) run
 * in the reserve, so the agent gets a typed error before the invocation ends, with nothing left
 * half-done. The adapters are the real ones (TwilioTelephony over UrlConnectionTwilioClient) in front
 * of a stand-in Twilio that never answers task creates.
 */
class UndoWithinTheDeadlineTest {
    private static final String WORKSPACE = "WS00000000000000000000000000000001";
    private static final Principal AGENT = new Principal(ALICE, false);
    /** The invocation: 5 s left, 2.5 s of them the reserve (less than one unanswered attempt's 5 s read timeout). */
    private static final long INVOCATION_MILLIS = 5_000;
    private static final long RESERVE_MILLIS = 2_500;

    /** What the stand-in Twilio received: method, path and form body. */
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private HttpServer twilio;
    private InMemoryCallRecords records;
    private CallControl calls;

    @BeforeEach
    void connectedCallAndATwilioThatNeverCreatesATask() throws IOException {
        twilio = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        twilio.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        twilio.createContext("/", this::answer);
        twilio.start();

        records = new ConnectedCall(connecting -> {
            connecting.telephony.tasks.put(TASK, new Telephony.TaskContext(TASK, "assigned", CUSTOMER_LEG, ALICE, "support", Map.of(), 75));
            return new CallControl(connecting.records, connecting.telephony, SETTINGS);
        }).records;

        String baseUrl = "http://127.0.0.1:" + twilio.getAddress().getPort();
        TwilioTelephony telephony = TwilioTelephony.lazily(
                () -> TwilioClients.restClient(new TwilioClients.Settings("AC00000000000000000000000000000001", "local-auth-token", baseUrl)),
                WORKSPACE, "WW00000000000000000000000000000001");
        calls = new CallControl(records, telephony, SETTINGS);
    }

    @AfterEach
    void stop() {
        stopped.countDown();
        twilio.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String body = URLDecoder.decode(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        received.add(method + " " + path + " " + body);
        String json;
        int status = 200;
        if (method.equals("POST") && path.equals("/v1/Workspaces/" + WORKSPACE + "/Tasks")) {
            try {
                stopped.await(); // never answered while the test runs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        } else if (path.equals("/v1/Workspaces/" + WORKSPACE + "/Workers/" + CAROL)) {
            json = "{\"sid\":\"" + CAROL + "\",\"friendly_name\":\"carol\",\"attributes\":\"{\\\"contact_uri\\\":\\\"client:carol\\\"}\"}";
        } else if (path.equals("/v1/Workspaces/" + WORKSPACE + "/Tasks")) {
            String page = "https://taskrouter.twilio.com/v1/Workspaces/" + WORKSPACE + "/Tasks?PageSize=1&Page=0";
            json = "{\"tasks\":[],\"meta\":{\"page\":0,\"page_size\":1,\"first_page_url\":\"" + page + "\",\"previous_page_url\":null,\"url\":\""
                    + page + "\",\"next_page_url\":null,\"key\":\"tasks\"}}";
        } else if (path.contains("/Participants/")) {
            json = "{\"call_sid\":\"" + CUSTOMER_LEG + "\",\"hold\":" + body.contains("Hold=true") + "}";
        } else {
            status = 404;
            json = "{\"code\":20404,\"message\":\"The requested resource was not found\",\"status\":404}";
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private List<String> holds() {
        return received.stream().filter(r -> r.contains("/Participants/" + CUSTOMER_LEG)).map(r -> r.contains("Hold=true") ? "hold" : "resume").toList();
    }

    private HttpError withinTheInvocation(Runnable command, long[] took) {
        long started = System.nanoTime();
        HttpError failed = Deadline.within(INVOCATION_MILLIS, RESERVE_MILLIS, () -> assertThrows(HttpError.class, command::run));
        took[0] = (System.nanoTime() - started) / 1_000_000;
        return failed;
    }

    @Test
    void aColdTransferWhoseTaskCreateHangsIsUndoneInTheReserve() {
        long[] took = new long[1];
        HttpError failed = withinTheInvocation(() -> calls.coldTransfer(TASK, AGENT, new TransferTarget.ToWorker(CAROL)), took);
        assertEquals(504, failed.status(), failed.code() + ": " + failed.getMessage());
        assertTrue(took[0] < INVOCATION_MILLIS, "answered before the invocation's end: " + took[0] + " ms");
        assertEquals(List.of("hold", "resume"), holds(), "the customer was held, then resumed by the undo: " + received);
        assertNull(records.find(TASK).orElseThrow().transfer, "no transfer is left claimed");
        assertTrue(received.stream().noneMatch(r -> r.contains("/Participants/" + AGENT_LEG)), "the agent stays on the call");
    }

    @Test
    void aWarmTransferWhoseTaskCreateHangsIsUndoneInTheReserve() {
        long[] took = new long[1];
        HttpError failed = withinTheInvocation(() -> calls.warm().start(TASK, AGENT, new TransferTarget.ToWorker(CAROL)), took);
        assertEquals(504, failed.status(), failed.code() + ": " + failed.getMessage());
        assertTrue(took[0] < INVOCATION_MILLIS, "answered before the invocation's end: " + took[0] + " ms");
        assertEquals(List.of("hold", "resume"), holds(), "the customer was held, then resumed by the undo: " + received);
        WarmTransfer transfer = records.find(TASK).orElseThrow().warm;
        assertEquals(WarmTransfer.State.FAILED, transfer.state, "the transfer's failure is recorded, so another may start");
    }
}
