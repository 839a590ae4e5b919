package dev.callcontrol.testing;

import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.store.CallRecordJson;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** {@link CallRecords} in a map, copying records in and out as the DynamoDB store's JSON document. */
public final class InMemoryCallRecords implements CallRecords {
    private final Map<String, String> documents = new HashMap<>();
    private final Map<String, String> aliases = new HashMap<>();

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
        documents.put(taskSid, CallRecordJson.write(record));
        return Optional.of(record);
    }

    @Override
    public synchronized void alias(String taskSid, String callTaskSid) {
        aliases.put(taskSid, callTaskSid);
    }
}
