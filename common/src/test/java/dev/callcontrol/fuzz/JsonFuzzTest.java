package dev.callcontrol.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.callcontrol.calls.TransferTarget;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.JsonValues;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static dev.callcontrol.fuzz.Fuzz.check;
import static dev.callcontrol.fuzz.Fuzz.equal;
import static dev.callcontrol.fuzz.Fuzz.expectStatus;

/**
 * {@link JsonValues#parseObject}, the agent API's body reader, on any text (the input's bytes as
 * UTF-8), then {@link TransferTarget#parse} on what it returns. The reader either returns an object
 * or refuses with a 400; what it accepts must be one whole JSON object (a strict mapper that refuses
 * trailing content agrees and finds the same values) that writes and reads back to the same values.
 * A transfer target is a 400 or a worker SID, queue SID or name, or E.164 number.
 */
class JsonFuzzTest {
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static boolean finite(JsonNode node) {
        if (node.isNumber()) {
            return !Double.isInfinite(node.doubleValue()) && !Double.isNaN(node.doubleValue());
        }
        for (JsonNode child : node) {
            if (!finite(child)) {
                return false;
            }
        }
        return true;
    }

    @FuzzTest(maxDuration = "10m")
    void json(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Map<String, Object> body;
        try {
            body = JsonValues.parseObject(text, "the body");
        } catch (HttpError e) {
            expectStatus(e, 400);
            return;
        }
        JsonNode strict;
        try {
            strict = STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError("the body reader accepted what is not one JSON document (" + e.getOriginalMessage() + "): " + text);
        }
        check(strict.isObject(), "the body reader accepted what is not an object: " + text);
        equal(STRICT.convertValue(strict, Map.class), body, "the values of " + text);
        if (finite(strict)) {
            // (A number beyond double's range reads as Infinity, which Jackson writes as a string.)
            equal(body, JsonValues.parseObject(JsonValues.write(body), "the written body"), "the body written and read back");
        }

        try {
            TransferTarget target = TransferTarget.parse(body);
            switch (target) {
                case TransferTarget.ToWorker worker -> check(TransferTarget.WORKER_SID.matcher(worker.workerSid()).matches(), "worker " + worker);
                case TransferTarget.ToQueue queue -> check(TransferTarget.QUEUE_SID.matcher(queue.queue()).matches()
                        || TransferTarget.QUEUE_NAME.matcher(queue.queue()).matches(), "queue " + queue);
                case TransferTarget.ToNumber number -> check(TransferTarget.E164.matcher(number.number()).matches(), "number " + number);
            }
        } catch (HttpError e) {
            expectStatus(e, 400);
        }
    }
}
