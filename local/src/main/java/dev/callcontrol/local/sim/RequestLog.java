package dev.callcontrol.local.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Every REST request the simulator answered, in the order it answered them: what tests and the round-trip figures read. */
final class RequestLog {
    /**
     * @param time       when the request arrived
     * @param answered   when it was answered (later than {@code time} by any injected delay)
     * @param violations how the request departed from Twilio's contract (empty when it conformed)
     * @param fault      the injected fault that answered it, if any
     * @param credential who the request authenticated as: the username of its HTTP basic credentials
     *                   (the account SID, or an API key's SID; never the password), or null when it had none
     */
    record Entry(String time, String answered, String method, String host, String path, Map<String, List<String>> parameters,
                 int status, List<String> violations, String fault, String credential) {
    }

    private final List<Entry> entries = new ArrayList<>();

    synchronized void add(Entry entry) {
        entries.add(entry);
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    synchronized void clear() {
        entries.clear();
    }
}
