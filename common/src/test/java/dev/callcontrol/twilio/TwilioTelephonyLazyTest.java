package dev.callcontrol.twilio;

import com.twilio.http.TwilioRestClient;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TwilioTelephonyLazyTest {
    private static final String WORKSPACE = "WS00000000000000000000000000000001";
    private static final String WORKFLOW = "WW00000000000000000000000000000001";
    private static final String TASK = "WT00000000000000000000000000000000";

    private final AtomicInteger built = new AtomicInteger();

    private TwilioRestClient build() {
        built.incrementAndGet();
        return new TwilioRestClient.Builder("AC00000000000000000000000000000001", "token").httpClient(new CannedTwilio()).build();
    }

    @Test
    void theClientIsBuiltByTheFirstRequestThenKept() {
        TwilioTelephony telephony = TwilioTelephony.lazily(this::build, WORKSPACE, WORKFLOW);
        assertEquals(0, built.get(), "building the adapter builds no client");

        assertTrue(telephony.task(TASK).isPresent());
        assertTrue(telephony.task(TASK).isPresent());

        assertEquals(1, built.get());
    }

    @Test
    void primingBuildsTheRealClientOnceBeforeAnyRequest() {
        TwilioTelephony telephony = TwilioTelephony.lazily(this::build, WORKSPACE, WORKFLOW);

        telephony.prime();
        assertEquals(1, built.get(), "priming builds the client the snapshot will hold");
        telephony.task(TASK);

        assertEquals(1, built.get());
    }

    @Test
    void concurrentFirstRequestsBuildOneClient() throws Exception {
        TwilioTelephony telephony = TwilioTelephony.lazily(this::build, WORKSPACE, WORKFLOW);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                telephony.task(TASK);
            }));
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        assertEquals(1, built.get());
    }
}
