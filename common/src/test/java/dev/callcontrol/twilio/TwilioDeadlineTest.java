package dev.callcontrol.twilio;

import com.twilio.exception.ApiConnectionException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.conference.Participant;
import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.http.OutOfTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each attempt of a Twilio request takes no more than the invocation can spare, its reserve kept for
 * the undo steps: a server that never answers, or answers a byte at a time, is cut when that time is
 * up rather than at the attempt's own timeouts, and with no time left nothing is sent.
 */
class TwilioDeadlineTest {
    private static final String ACCOUNT = "AC00000000000000000000000000000001";
    private static final String CONFERENCE = "CF0123456789abcdef0123456789abcdef";
    private static final String CALL = "CA0123456789abcdef0123456789abcdef";
    private static final long INVOCATION_MILLIS = 4_000;

    private ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    /** A server that accepts every connection and hands it to {@code answer}, on a thread of its own. */
    private String start(Consumer<Socket> answer) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    accepted.add(socket);
                    Thread.ofVirtual().start(() -> answer.accept(socket));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }

    private static TwilioRestClient client(String baseUrl) {
        return TwilioClients.restClient(new TwilioClients.Settings(ACCOUNT, "local-auth-token", baseUrl));
    }

    private static void hold(TwilioRestClient client) {
        Participant.updater(CONFERENCE, CALL).setHold(true).update(client);
    }

    /** Runs {@code work} in an invocation with 4 s left and a 2 s reserve (2 s to spare), and answers how long it took. */
    private static long millisWithTwoSecondsToSpare(Runnable work) {
        long started = System.nanoTime();
        Deadline.within(INVOCATION_MILLIS, 2_000, () -> {
            work.run();
            return null;
        });
        return (System.nanoTime() - started) / 1_000_000;
    }

    @Test
    void aServerThatNeverAnswersIsCutWhenTheSpareTimeIsUp() throws IOException {
        String silent = start(socket -> { });
        ApiConnectionException[] cut = new ApiConnectionException[1];
        long took = millisWithTwoSecondsToSpare(() -> cut[0] = assertThrows(ApiConnectionException.class, () -> hold(client(silent))));
        assertTrue(took < TwilioClients.RESPONSE_TIMEOUT.toMillis(), "cut at the invocation's deadline, not the 5 s read timeout: " + took + " ms");
        assertEquals(1, accepted.size(), "the request was sent, once");
        assertTrue(cut[0].getMessage().contains("timed out") || cut[0].getMessage().contains("could spare"), cut[0].getMessage());
    }

    @Test
    void anAnswerThatTricklesInIsCutWhenTheSpareTimeIsUp() throws IOException {
        // A byte every 200 ms: no single read waits long enough for the read timeout, yet the whole would take over 20 s.
        String trickling = start(socket -> {
            try {
                OutputStream out = socket.getOutputStream();
                for (byte b : "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: ................................................\r\n\r\n{}"
                        .getBytes(StandardCharsets.US_ASCII)) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(200);
                }
            } catch (IOException | InterruptedException gone) {
                // the client closed the connection
            }
        });
        ApiConnectionException[] cut = new ApiConnectionException[1];
        long took = millisWithTwoSecondsToSpare(() -> cut[0] = assertThrows(ApiConnectionException.class, () -> hold(client(trickling))));
        assertTrue(took < TwilioClients.ATTEMPT_CEILING.toMillis(), "closed when the spare time was up: " + took + " ms");
        assertTrue(cut[0].getMessage().contains("could spare"), cut[0].getMessage());
    }

    @Test
    void withNoTimeLeftNothingIsSent() throws IOException {
        String silent = start(socket -> { });
        OutOfTime refused = Deadline.within(Deadline.RESERVE_MILLIS + Deadline.MIN_REQUEST_MILLIS / 2, () ->
                assertThrows(OutOfTime.class, () -> hold(client(silent))));
        assertEquals(504, refused.status());
        assertEquals("out_of_time", refused.code());
        assertTrue(accepted.isEmpty(), "no connection was opened");
    }

    @Test
    void aHoldThatGetsNoAnswerIsA504BeforeTheDeadlineAndReleasesTheReserve() throws IOException {
        String silent = start(socket -> { });
        TwilioTelephony telephony = new TwilioTelephony(client(silent), "WS00000000000000000000000000000001",
                "WW00000000000000000000000000000001", Clock.systemUTC(), FaultPolicy.standard());
        CallControlException[] failed = new CallControlException[1];
        long took = millisWithTwoSecondsToSpare(() -> {
            failed[0] = assertThrows(CallControlException.class, () -> telephony.hold(CONFERENCE, CALL, true, "https://calls.example.com/twilio/hold-music"));
            assertTrue(Deadline.reserveReleased(), "the undo that follows may use the reserve");
        });
        assertEquals(504, failed[0].status());
        assertEquals("twilio_unreachable", failed[0].code());
        assertEquals(1, accepted.size(), "no retry: a second needs a second to spare, and none was left");
        assertTrue(took < INVOCATION_MILLIS, "answered inside the invocation: " + took + " ms");
    }
}
