package dev.callcontrol.local.sim;

import dev.callcontrol.local.LocalDefaults;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The local runtime binds the simulator for its URL and opens it only once the product is connected. */
class SimulatorOpeningTest {
    private static TwilioSimulator.Settings settings() {
        return new TwilioSimulator.Settings("127.0.0.1", 0, LocalDefaults.ACCOUNT_SID, LocalDefaults.AUTH_TOKEN, java.util.Optional.empty());
    }

    @Test
    void aRequestBeforeOpeningWaitsAndIsAnsweredOnceOpen() throws Exception {
        try (TwilioSimulator simulator = TwilioSimulator.bind(settings())) {
            HttpClient http = HttpClient.newHttpClient();
            CompletableFuture<HttpResponse<String>> early = http.sendAsync(
                    HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/sim/calls")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(300);
            assertFalse(early.isDone(), "nothing is answered before the simulator opens");

            simulator.open();

            assertEquals(200, early.get(20, TimeUnit.SECONDS).statusCode());
        }
    }

    @Test
    void aSimulatorThatNeverOpenedClosesAndReleasesItsPort() throws Exception {
        TwilioSimulator simulator = TwilioSimulator.bind(settings());
        int port = simulator.port();
        assertTimeoutPreemptively(Duration.ofSeconds(10), simulator::close);

        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, again.getLocalPort());
        }
    }
}
