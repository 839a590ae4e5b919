package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.config.Config;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** When DynamoDB fails, callers get a retryable 503 with no internals, never a 500 or a stack trace. */
class HoldFunctionFailureTest {
    private static final CallRecords BROKEN = new CallRecords() {
        @Override
        public Optional<CallRecord> find(String taskSid) {
            throw software.amazon.awssdk.core.exception.SdkClientException.create("Unable to execute HTTP request: connect timed out");
        }

        @Override
        public Optional<CallRecord> update(String taskSid, Supplier<CallRecord> create, Predicate<CallRecord> change) {
            throw software.amazon.awssdk.core.exception.SdkClientException.create("Unable to execute HTTP request: connect timed out");
        }

        @Override
        public void alias(String taskSid, String callTaskSid) {
        }

        @Override
        public long countDial(String workerSid, int perMinute) {
            throw software.amazon.awssdk.core.exception.SdkClientException.create("Unable to execute HTTP request: connect timed out");
        }
    };

    private static CallControl broken(Config config) {
        return new CallControl(BROKEN, new FakeTelephony(), new CallControl.Settings(config.publicBaseUrl(), config.callerId(), 20, List.of()));
    }

    @Test
    void theAgentApiAnswers503WhenTheStoreIsDown() {
        Config config = Config.of(Webhooks.localEnvironment());
        APIGatewayV2HTTPResponse response = new HoldFunction(config, broken(config)).handleRequest(Webhooks.sample("hold.json"), null);
        assertEquals(503, response.getStatusCode());
        assertEquals("application/json", response.getHeaders().get("Content-Type"));
        assertFalse(response.getBody().contains("timed out"), "no internals: " + response.getBody());
    }

    @Test
    void twilioWebhooksAnswer503WhenTheStoreIsDown() {
        Config config = Config.of(Webhooks.localEnvironment());
        APIGatewayV2HTTPResponse response = new ConferenceEventsFunction(config, broken(config))
                .handleRequest(Webhooks.sample("conference-event-join.json"), null);
        assertEquals(503, response.getStatusCode());
        assertFalse(response.getBody().contains("timed out"), "no internals: " + response.getBody());
    }
}
