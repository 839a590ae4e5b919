package dev.callcontrol.local;

import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.http.Json;
import dev.callcontrol.http.OutOfTime;
import dev.callcontrol.store.CallStore;
import dev.callcontrol.store.DynamoDbClients;
import dev.callcontrol.store.TableSchema;
import dev.callcontrol.testing.DynamoDbEngines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.IOException;
import java.time.Clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The product's DynamoDB requests against late answers from the fault proxy: a write held on its way
 * is cut when the invocation's forward time is up, leaving the record as it was; the caller gets
 * {@link OutOfTime}, and the undo that follows in the same invocation gets the reserve and lands. A
 * write DynamoDB carried out whose answer comes too late is the same 504 for the caller, and a
 * repeat finds it done.
 */
class DynamoDbBudgetTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    /** The invocation: 5 s left, 3 s of them the reserve, so forward requests get 2 s (less than a request's 3 s ceiling). */
    private static final long INVOCATION_MILLIS = 5_000;
    private static final long RESERVE_MILLIS = 3_000;

    private static EmbeddedDynamoDb dynamoDb;
    /** DynamoDB Local itself, past the proxy: what is really stored. */
    private static DynamoDbClient direct;
    private DynamoDbFaults proxy;
    private DynamoDbClient product;
    private CallStore store;
    private CallStore stored;

    @BeforeAll
    static void start() {
        dynamoDb = EmbeddedDynamoDb.start(0);
        direct = DynamoDbClients.create(dynamoDb.endpoint(), "us-east-1", false);
    }

    @AfterAll
    static void stop() {
        direct.close();
        dynamoDb.close();
    }

    /** A proxy per test: closing it drops whatever it still holds, so a held write never reaches DynamoDB Local afterwards. */
    @BeforeEach
    void proxyAndRecord() throws IOException {
        String table = "calls-" + java.util.UUID.randomUUID();
        TableSchema.create(direct, table, DynamoDbEngines.callsTableProperties());
        proxy = DynamoDbFaults.start(dynamoDb.endpoint());
        product = DynamoDbClients.create(proxy.endpoint(), "us-east-1", false);
        store = new CallStore(product, table, Clock.systemUTC());
        stored = new CallStore(direct, table, Clock.systemUTC());
        stored.update(TASK, () -> new CallRecord(TASK), record -> true);
    }

    @AfterEach
    void closeProxy() {
        product.close();
        proxy.close();
    }

    private void rule(String json) {
        proxy.rules().add(Json.parse(json, "rule"));
    }

    private static <T> T invocation(java.util.function.Supplier<T> work) {
        return Deadline.within(INVOCATION_MILLIS, RESERVE_MILLIS, work);
    }

    @Test
    void aWriteHeldOnItsWayIsCutAtTheDeadlineAndTheUndoGetsTheReserve() {
        rule("{\"operation\":\"PutItem\",\"delayMillis\":30000,\"times\":1}");
        long started = System.nanoTime();
        String undone = invocation(() -> {
            OutOfTime cut = assertThrows(OutOfTime.class, () -> store.update(TASK, () -> null, record -> {
                record.queue = "sales";
                return true;
            }));
            assertEquals(504, cut.status());
            assertEquals("out_of_time", cut.code());
            assertNull(stored.find(TASK).orElseThrow().queue, "the write never reached DynamoDB: the record is as it was");
            assertTrue(Deadline.reserveReleased());
            // The undo step, in the reserve: the proxy's rule held one write only, so this one goes through.
            return store.update(TASK, () -> null, record -> {
                record.queue = "undone";
                return true;
            }).orElseThrow().queue;
        });
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals("undone", undone);
        assertTrue(tookMillis < INVOCATION_MILLIS, "the cut and the undo both fit in the invocation: " + tookMillis + " ms");
        var counted = proxy.rules().describe().get(0);
        assertEquals(1L, counted.get("failed"), "one write held");
        assertEquals(2L, counted.get("matched"), "and the undo's write: the cut write was not sent again");
        proxy.close();
        CallRecord after = stored.find(TASK).orElseThrow();
        assertEquals("undone", after.queue, "the held write was never carried out");
        assertEquals(2, after.version, "created, then the undo's write: nothing else");
    }

    @Test
    void aWriteWhoseAnswerComesTooLateIsA504ThatARepeatFindsDone() {
        rule("{\"operation\":\"PutItem\",\"delayMillis\":30000,\"after\":true,\"times\":1}");
        assertThrows(OutOfTime.class, () -> invocation(() -> store.update(TASK, () -> null, record -> {
            record.queue = "sales";
            return true;
        })));
        CallRecord written = stored.find(TASK).orElseThrow();
        assertEquals("sales", written.queue, "DynamoDB carried the write out; only its answer was late: a 504 may have taken effect");
        // The caller's repeat (an agent's, or Twilio's retry of a webhook) finds the change made and writes nothing.
        assertEquals("sales", invocation(() -> store.update(TASK, () -> null, record -> {
            if ("sales".equals(record.queue)) {
                return false;
            }
            record.queue = "sales";
            return true;
        })).orElseThrow().queue);
        assertEquals(written.version, stored.find(TASK).orElseThrow().version);
    }

    @Test
    void theSdkMakesAtMostItsAttemptsWhateverTheFailures() {
        rule("{\"operation\":\"GetItem\",\"status\":500,\"times\":1000}");
        assertThrows(RuntimeException.class, () -> invocation(() -> store.find(TASK)));
        assertEquals((long) DynamoDbClients.MAX_ATTEMPTS, proxy.rules().describe().get(0).get("matched"), "500s are retried, a bounded number of times");
    }
}
