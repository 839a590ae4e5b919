package dev.callcontrol.store;

import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.http.OutOfTime;
import dev.callcontrol.testing.DynamoDbEngines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every DynamoDB request of the product is bounded by what the invocation can spare: against an
 * endpoint that accepts connections and never answers, a request is cut when that time is up (well
 * before its own ceiling), the caller gets {@link OutOfTime}, and what it does next (the undo) gets
 * the reserve. With no time left, nothing is sent.
 */
class DynamoDbDeadlineTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";

    private ServerSocket silent;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private DynamoDbClient toSilence;

    @BeforeEach
    void silentEndpoint() throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!silent.isClosed()) {
                try {
                    accepted.add(silent.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        });
        toSilence = DynamoDbClients.create(URI.create("http://127.0.0.1:" + silent.getLocalPort()), "us-east-1", false);
    }

    @AfterEach
    void close() throws IOException {
        toSilence.close();
        silent.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }

    @Test
    void theClientBoundsEveryRequestAndItsRetries() {
        var configured = toSilence.serviceClientConfiguration().overrideConfiguration();
        assertEquals(DynamoDbClients.CALL_TIMEOUT, configured.apiCallTimeout().orElseThrow());
        assertEquals(DynamoDbClients.ATTEMPT_TIMEOUT, configured.apiCallAttemptTimeout().orElseThrow());
        RetryStrategy retries = configured.retryStrategy().orElseThrow();
        assertEquals(DynamoDbClients.MAX_ATTEMPTS, retries.maxAttempts());
        assertTrue(DynamoDbClients.ATTEMPT_TIMEOUT.compareTo(DynamoDbClients.CALL_TIMEOUT) <= 0);
    }

    @Test
    void aRequestThatGetsNoAnswerIsCutWhenTheInvocationsSpareTimeIsUp() {
        CallStore store = new CallStore(toSilence, "CallsTable", Clock.systemUTC());
        long started = System.nanoTime();
        // 2.5 s left, 1.5 s of it the reserve: the read may take 1 s, not its 3 s ceiling.
        OutOfTime cut = Deadline.within(2_500, 1_500, () -> {
            OutOfTime e = assertThrows(OutOfTime.class, () -> store.find(TASK));
            assertTrue(Deadline.reserveReleased(), "the undo that follows may use the reserve");
            return e;
        });
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMillis < DynamoDbClients.CALL_TIMEOUT.toMillis(), "cut at the invocation's deadline, not the ceiling: " + tookMillis + " ms");
        assertEquals(504, cut.status());
        assertEquals("out_of_time", cut.code());
        assertEquals("reading the call record took longer than the service had time for; try again", cut.getMessage());
        assertFalse(accepted.isEmpty(), "the request was sent");
    }

    @Test
    void aRequestWithNoTimeLeftIsNeverSent() {
        CallStore store = new CallStore(toSilence, "CallsTable", Clock.systemUTC());
        OutOfTime refused = Deadline.within(Deadline.RESERVE_MILLIS + Deadline.MIN_REQUEST_MILLIS / 2, () ->
                assertThrows(OutOfTime.class, () -> store.update(TASK, () -> new CallRecord(TASK), record -> true)));
        assertEquals(504, refused.status());
        assertEquals("the service ran out of time before reading or writing the call record; try again", refused.getMessage());
        assertTrue(accepted.isEmpty(), "no connection was even opened");
    }

    @Test
    void theUndoAfterACutGetsTheReserve() {
        var engine = DynamoDbEngines.embedded();
        String table = engine.createCallsTable();
        CallStore reachable = new CallStore(engine.client(), table, Clock.systemUTC());
        CallStore unreachable = new CallStore(toSilence, table, Clock.systemUTC());
        Deadline.within(5_000, 3_000, () -> {
            assertThrows(OutOfTime.class, () -> unreachable.find(TASK));
            assertTrue(Deadline.spareMillis() > 2_000,
                    "after the forward 2 s are spent, the reserve less the answer's margin (2.5 s) is left: " + Deadline.spareMillis());
            // The step that undoes (here: a write of the record) runs in the reserve and lands.
            assertTrue(reachable.update(TASK, () -> new CallRecord(TASK), record -> true).isPresent());
            return null;
        });
        assertTrue(reachable.find(TASK).isPresent());
    }
}
