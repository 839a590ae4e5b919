package dev.callcontrol.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.callcontrol.calls.TransferTarget;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.Json;

import java.nio.charset.StandardCharsets;

import static dev.callcontrol.fuzz.Fuzz.check;
import static dev.callcontrol.fuzz.Fuzz.equal;
import static dev.callcontrol.fuzz.Fuzz.expectStatus;

/**
 * {@link Json#parse} on any text (the input's bytes as UTF-8), then {@link TransferTarget#parse} on
 * what it returns. Json.parse either returns a document or refuses with a 400; what it accepts
 * must be one whole JSON document (a strict parser that refuses trailing content agrees and finds
 * the same tree) that writes and reads back to the same tree. A transfer target is a 400 or a
 * worker SID, queue SID or name, or E.164 number.
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
        JsonNode node;
        try {
            node = Json.parse(text, "the body");
        } catch (HttpError e) {
            expectStatus(e, 400);
            return;
        }
        check(node != null && !node.isMissingNode(), "Json.parse returned no document for: " + text);
        JsonNode strict;
        try {
            strict = STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError("Json.parse accepted what is not one JSON document (" + e.getOriginalMessage() + "): " + text);
        }
        equal(strict, node, "the tree of " + text);
        if (finite(node)) {
            // (A number beyond double's range reads as Infinity, which Jackson writes as a string.)
            equal(node, Json.parse(Json.write(node), "the written tree"), "the tree written and read back");
        }

        try {
            TransferTarget target = TransferTarget.parse(node);
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
