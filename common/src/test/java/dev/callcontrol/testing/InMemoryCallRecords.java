package dev.callcontrol.testing;

import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.calls.LiveCalls;
import dev.callcontrol.store.CallRecordJson;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** {@link CallRecords} in a map, copying records in and out as the DynamoDB store's JSON document. */
public final class InMemoryCallRecords implements CallRecords, LiveCalls {
    private final Map<String, String> documents = new HashMap<>();
    private final Map<String, Instant> changed = new HashMap<>();
    /** What a write stamps as the record's change time; tests move it. */
    public Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Map<String, String> aliases = new HashMap<>();
    /** A write of a record this matches fails, as a DynamoDB error would, and changes nothing. */
    public volatile Predicate<CallRecord> failWritesOf = record -> false;

    @Override
    public synchronized Optional<CallRecord> find(String taskSid) {
        String doc = documents.get(aliases.getOrDefault(taskSid, taskSid));
        return doc == null ? Optional.empty() : Optional.of(CallRecordJson.read(doc));
    }

    @Override
    public synchronized Optional<CallRecord> update(String taskSid, Supplier<CallRecord> create, Predicate<CallRecord> change) {
        Optional<CallRecord> found = find(taskSid);
        CallRecord record = found.orElseGet(create);
        if (!change.test(record)) {
            return found;
        }
        if (failWritesOf.test(record)) {
            throw new IllegalStateException("the record's write failed (injected by the test)");
        }
        documents.put(taskSid, CallRecordJson.write(record));
        changed.put(taskSid, now);
        return Optional.of(record);
    }

    @Override
    public synchronized void alias(String taskSid, String callTaskSid) {
        aliases.put(taskSid, callTaskSid);
    }

    private final Map<String, Integer> dials = new HashMap<>();

    /** Counted per worker and minute of {@link #now}, as the DynamoDB store counts them. */
    @Override
    public synchronized long countDial(String workerSid, int perMinute) {
        long minute = now.getEpochSecond() / 60;
        String key = workerSid + "#" + minute;
        int count = dials.getOrDefault(key, 0);
        if (count >= perMinute) {
            return Math.max(1, (minute + 1) * 60 - now.getEpochSecond());
        }
        dials.put(key, count + 1);
        return 0;
    }

    private String cursor;

    @Override
    public synchronized java.util.Optional<String> cursor() {
        return java.util.Optional.ofNullable(cursor);
    }

    @Override
    public synchronized void cursor(String taskSid) {
        cursor = taskSid;
    }

    @Override
    public synchronized List<Entry> live() {
        return documents.entrySet().stream()
                .filter(entry -> !aliases.containsKey(entry.getKey()) && CallRecordJson.read(entry.getValue()).live())
                .map(entry -> new Entry(entry.getKey(), changed.get(entry.getKey())))
                .sorted(java.util.Comparator.comparing(Entry::taskSid))
                .toList();
    }
}
