package dev.callcontrol.store;

import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.Role;
import dev.callcontrol.calls.WarmTransfer;
import dev.callcontrol.http.Json;
import dev.callcontrol.http.JsonValues;
import dev.callcontrol.testing.RandomJson;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stored document against Jackson's object mapper, which wrote it before: the same text for
 * any record, and records written by either read back the same by the other.
 */
class CallRecordJsonTest {
    @Test
    void writesWhatTheMapperWroteAndEachReadsWhatTheOtherWrote() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 3_000; i++) {
            CallRecord record = randomRecord(random);
            String byMapper = Json.MAPPER.writeValueAsString(record);

            assertEquals(byMapper, CallRecordJson.write(record));
            // Read back by either, the record is the same (a field written as absent reads as its default in both).
            String readByMapper = Json.MAPPER.writeValueAsString(Json.MAPPER.readValue(byMapper, CallRecord.class));
            assertEquals(readByMapper, CallRecordJson.write(CallRecordJson.read(byMapper)));
        }
    }

    @Test
    void anAliasKeepsItsDefaultsForWhatItLeavesOut() {
        CallRecord alias = new CallRecord("WT2");
        alias.aliasOf = "WT1";
        alias.status = null;
        alias.legs = null;
        alias.tasks = null;

        String doc = CallRecordJson.write(alias);
        CallRecord back = CallRecordJson.read(doc);

        assertEquals("{\"taskSid\":\"WT2\",\"endedSequence\":0,\"answers\":{},\"ownTaskWrappedByTaskRouter\":true,\"aliasOf\":\"WT1\"}", doc);
        assertEquals("WT1", back.aliasOf);
        assertEquals("active", back.status, "absent: the field's default, as the mapper did");
        assertTrue(back.legs.isEmpty());
    }

    @Test
    void unknownFieldsAreIgnoredAndExplicitNullsKept() {
        CallRecord back = CallRecordJson.read("{\"taskSid\":\"WT1\",\"future\":{\"x\":[1]},\"status\":null,\"transfer\":null,"
                + "\"legs\":{\"CA1\":{\"callSid\":\"CA1\",\"role\":\"AGENT\",\"present\":true,\"sequence\":12345678901,\"new\":1}}}");

        assertEquals("WT1", back.taskSid);
        assertNull(back.status);
        assertNull(back.transfer);
        assertEquals(Role.AGENT, back.legs.get("CA1").role);
        assertEquals(12345678901L, back.legs.get("CA1").sequence);
    }

    @Test
    void whatIsNotACallRecordIsRefusedAsTheMapperRefusedIt() {
        for (String bad : List.of("", "[]", "{\"taskSid\":\"WT1\"} {}", "{\"taskSid\":\"WT1\",\"taskSid\":\"WT2\"}",
                "{\"endedSequence\":null}", "{\"ownTaskWrappedByTaskRouter\":null}", "{\"legs\":{\"CA1\":{\"role\":\"PILOT\"}}}",
                "{\"legs\":[]}", "{\"warm\":{\"history\":[{\"to\":\"NOWHERE\"}]}}", "{\"transfer\":{\"requeues\":12345678901}}",
                "{\"answers\":{\"k\":{\"status\":-12345678901}}}")) {
            assertThrows(IllegalArgumentException.class, () -> CallRecordJson.read(bad), bad);
            assertThrows(Exception.class, () -> Json.MAPPER.readValue(bad, CallRecord.class), "the mapper too: " + bad);
        }
    }

    @Test
    void valuesTheMapperCoercedAreRefused() {
        // Never written by the product; a document holding them was not written by it.
        for (String coerced : List.of("{\"endedSequence\":1.5}", "{\"taskSid\":7}", "{\"endedSequence\":\"7\"}")) {
            assertThrows(IllegalArgumentException.class, () -> CallRecordJson.read(coerced), coerced);
        }
    }

    static CallRecord randomRecord(Random random) {
        CallRecord record = new CallRecord(sometimes(random, "WT" + random.nextInt(1000)));
        record.conferenceSid = sometimes(random, "CF" + random.nextInt(1000));
        record.status = random.nextInt(5) == 0 ? null : random.nextBoolean() ? "active" : "ended";
        record.customerCallSid = sometimes(random, "CA" + random.nextInt(1000));
        record.workerSid = sometimes(random, "WK" + random.nextInt(1000));
        record.agentCallSid = sometimes(random, "CA" + random.nextInt(1000));
        record.legs = random.nextInt(8) == 0 ? null : new java.util.LinkedHashMap<>();
        for (int i = random.nextInt(4); i > 0 && record.legs != null; i--) {
            CallRecord.Leg leg = new CallRecord.Leg();
            leg.callSid = sometimes(random, "CA" + random.nextInt(1000));
            leg.role = random.nextInt(6) == 0 ? null : Role.values()[random.nextInt(Role.values().length)];
            leg.label = sometimes(random, "agent:WK" + random.nextInt(10) + " " + RandomJson.text(random));
            leg.workerSid = sometimes(random, "WK" + random.nextInt(10));
            leg.present = random.nextBoolean();
            leg.hold = random.nextBoolean();
            leg.muted = random.nextBoolean();
            leg.coaching = random.nextBoolean();
            leg.coachedCallSid = sometimes(random, "CA" + random.nextInt(10));
            leg.taskSid = sometimes(random, "WT" + random.nextInt(10));
            leg.sequence = random.nextBoolean() ? random.nextInt(100) : random.nextLong();
            record.legs.put("CA" + random.nextInt(1000), leg);
        }
        record.endedSequence = random.nextInt(3) == 0 ? Long.MAX_VALUE - random.nextInt(10) : random.nextInt(50);
        record.queue = sometimes(random, random.nextBoolean() ? "support" : RandomJson.text(random));
        record.callerAttributes = random.nextInt(3) == 0 ? null : JsonValues.parseObject(RandomJson.object(random).toString(), "attributes");
        if (random.nextBoolean()) {
            record.transfer = new CallRecord.Transfer();
            record.transfer.state = sometimes(random, "routing");
            record.transfer.target = sometimes(random, "queue");
            record.transfer.to = sometimes(random, "+15005550006");
            record.transfer.taskSid = sometimes(random, "WT9");
            record.transfer.callSid = sometimes(random, "CA9");
            record.transfer.fromWorkerSid = sometimes(random, "WK9");
            record.transfer.fallbackQueue = sometimes(random, "sales");
            record.transfer.requeues = random.nextInt();
        }
        if (random.nextBoolean()) {
            record.warm = randomWarm(random);
        }
        record.answers = random.nextInt(8) == 0 ? null : new java.util.LinkedHashMap<>();
        for (int i = random.nextInt(3); i > 0 && record.answers != null; i--) {
            CallRecord.StoredAnswer answer = new CallRecord.StoredAnswer();
            answer.status = random.nextBoolean() ? 0 : 200 + random.nextInt(300);
            answer.body = sometimes(random, "{\"note\":" + RandomJson.text(random) + "}");
            answer.by = sometimes(random, "WK4");
            answer.fingerprint = sometimes(random, "sha256:" + random.nextInt());
            answer.startedAt = sometimes(random, "2026-01-01T00:00:0" + random.nextInt(10) + "Z");
            record.answers.put("key-" + random.nextInt(100), answer);
        }
        record.ownTaskWrappedByTaskRouter = random.nextBoolean();
        if (random.nextBoolean()) {
            record.supervisor = new CallRecord.Supervision();
            record.supervisor.workerSid = sometimes(random, "WK3");
            record.supervisor.mode = sometimes(random, "whisper");
            record.supervisor.state = sometimes(random, "joined");
            record.supervisor.callSid = sometimes(random, "CA3");
        }
        if (random.nextBoolean()) {
            record.recording = new CallRecord.Recording();
            record.recording.sid = sometimes(random, "RE1");
            record.recording.status = sometimes(random, "paused");
            record.recording.pausedByAgent = random.nextBoolean();
            record.recording.recordedHold = sometimes(random, "2026-12-07T10:00:00Z");
            record.recording.updatedAt = sometimes(random, "2026-12-07T10:00:01Z");
        }
        record.tasks = random.nextInt(8) == 0 ? null : new java.util.LinkedHashMap<>();
        for (int i = random.nextInt(3); i > 0 && record.tasks != null; i--) {
            record.tasks.put("WT" + random.nextInt(100), random.nextInt(5) == 0 ? null : CallRecord.TASK_WRAPPING);
        }
        record.aliasOf = sometimes(random, "WT" + random.nextInt(100));
        if (random.nextBoolean()) {
            record.parties = new java.util.ArrayList<>();
            for (int i = random.nextInt(3); i > 0; i--) {
                record.parties.add(randomParty(random));
            }
        }
        record.version = random.nextLong();
        return record;
    }

    private static dev.callcontrol.calls.AddedParty randomParty(Random random) {
        dev.callcontrol.calls.AddedParty party = new dev.callcontrol.calls.AddedParty();
        party.id = sometimes(random, "party-" + random.nextInt(100));
        party.kind = sometimes(random, random.nextBoolean() ? "worker" : "number");
        party.to = sometimes(random, "+14155550" + (100 + random.nextInt(900)));
        party.taskSid = sometimes(random, "WT6");
        party.callSid = sometimes(random, "CA6");
        party.label = sometimes(random, "party:abc");
        party.state = sometimes(random, dev.callcontrol.calls.AddedParty.JOINED);
        party.reason = sometimes(random, "removed");
        party.addedBy = sometimes(random, "WK1");
        party.removedBy = sometimes(random, "WK2");
        party.addedAt = sometimes(random, "2026-01-01T00:00:01Z");
        party.endedAt = sometimes(random, "2026-01-01T00:00:02Z");
        return party;
    }

    private static WarmTransfer randomWarm(Random random) {
        WarmTransfer warm = new WarmTransfer();
        warm.id = sometimes(random, "wt-" + random.nextInt(100));
        warm.target = sometimes(random, "worker");
        warm.to = sometimes(random, "WK5");
        warm.taskSid = sometimes(random, "WT5");
        warm.callSid = sometimes(random, "CA5");
        warm.targetCallSid = sometimes(random, "CA6");
        warm.targetWorkerSid = sometimes(random, "WK6");
        warm.fromWorkerSid = sometimes(random, "WK7");
        warm.fromCallSid = sometimes(random, "CA7");
        warm.fromTaskSid = sometimes(random, "WT7");
        warm.agentLeft = random.nextBoolean();
        WarmTransfer.State[] states = WarmTransfer.State.values();
        WarmTransfer.Reason[] reasons = WarmTransfer.Reason.values();
        for (int i = random.nextInt(5); i > 0; i--) {
            warm.move(states[random.nextInt(states.length)], reasons[random.nextInt(reasons.length)], sometimes(random, "twilio"),
                    Instant.ofEpochSecond(random.nextInt(2_000_000_000)));
        }
        if (random.nextInt(6) == 0) {
            warm.history = null;
        }
        if (random.nextInt(6) == 0) {
            warm.state = null;
            warm.reason = null;
        }
        return warm;
    }

    private static String sometimes(Random random, String value) {
        return random.nextInt(4) == 0 ? null : value;
    }

    @Test
    void aDocumentWrittenBeforeThisClassReadsAsItDid() throws Exception {
        String stored = "{\"taskSid\":\"WT1\",\"conferenceSid\":\"CF1\",\"status\":\"active\",\"customerCallSid\":\"CA1\",\"workerSid\":\"WK1\","
                + "\"agentCallSid\":\"CA2\",\"legs\":{\"CA1\":{\"callSid\":\"CA1\",\"role\":\"CUSTOMER\",\"present\":true,\"hold\":true,"
                + "\"muted\":false,\"coaching\":false,\"sequence\":4}},\"endedSequence\":0,\"queue\":\"support\","
                + "\"callerAttributes\":{\"from\":\"+15005550006\",\"level\":3},\"warm\":{\"id\":\"wt-1\",\"state\":\"CONSULTING\","
                + "\"reason\":\"TARGET_JOINED\",\"agentLeft\":false,\"history\":[{\"at\":\"2026-11-24T00:00:00Z\",\"by\":\"WK1\","
                + "\"to\":\"INITIATED\",\"reason\":\"STARTED\"}]},\"answers\":{\"k\":{\"status\":201,\"body\":\"{}\"}},"
                + "\"ownTaskWrappedByTaskRouter\":false,\"tasks\":{\"WT1\":\"assigned\"}}";

        CallRecord record = CallRecordJson.read(stored);

        assertEquals(Json.MAPPER.writeValueAsString(Json.MAPPER.readValue(stored, CallRecord.class)), CallRecordJson.write(record));
        assertTrue(record.customer().hold);
        assertEquals(WarmTransfer.State.CONSULTING, record.warm.state);
        assertNull(record.warm.history.get(0).from);
        assertEquals(Map.of("from", "+15005550006", "level", 3), record.callerAttributes);
        assertEquals(201, record.answers.get("k").status);
    }
}
