package dev.callcontrol.local;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One request to an agent route (a route under the authorizer) and the answer the caller got,
 * whoever answered it: the function, or the emulated API Gateway (401, 413, 500). Tests hold every
 * exchange against the agent API's description (docs/agent-api.yaml).
 *
 * @param route the template's route key, e.g. {@code GET /calls/{taskSid}}
 */
public record AgentExchange(String route, String method, String path, String rawQuery, Map<String, List<String>> requestHeaders,
                            byte[] requestBody, int status, Map<String, String> responseHeaders, byte[] responseBody) {

    /** Who is told of each exchange; observers run on the request's thread, before the answer is written. */
    public static final class Observers {
        private final List<Consumer<AgentExchange>> observers = new CopyOnWriteArrayList<>();

        void add(Consumer<AgentExchange> observer) {
            observers.add(observer);
        }

        void remove(Consumer<AgentExchange> observer) {
            observers.remove(observer);
        }

        boolean any() {
            return !observers.isEmpty();
        }

        void tell(AgentExchange exchange) {
            observers.forEach(observer -> observer.accept(exchange));
        }
    }
}
