package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /directory}: the workspace's workers (with their activity, and whether TaskRouter may
 * offer them a call now) and task queues, for any agent picking where to transfer a call, and who
 * the caller is as the API sees them ({@code me}: their worker, and whether they are a supervisor).
 */
public final class DirectoryFunction extends AgentEndpoint {
    private final Telephony telephony;

    public DirectoryFunction() {
        this(Config.fromEnvironment());
    }

    public DirectoryFunction(Config config) {
        this(config, Wiring.telephony(config));
    }

    DirectoryFunction(Config config, Telephony telephony) {
        super(config);
        this.telephony = telephony;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        Telephony.Directory directory = telephony.directory();
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("workerSid", principal.workerSid());
        me.put("name", directory.workers().stream().filter(w -> w.sid().equals(principal.workerSid())).map(Telephony.Person::name).findFirst().orElse(null));
        me.put("supervisor", principal.supervisor());
        out.put("me", me);
        out.put("workers", directory.workers().stream().map(w -> {
            Map<String, Object> worker = new LinkedHashMap<>();
            worker.put("workerSid", w.sid());
            worker.put("name", w.name());
            worker.put("activity", w.activity());
            worker.put("available", w.available());
            return worker;
        }).toList());
        out.put("queues", directory.queues().stream().map(q -> Map.of("queueSid", q.sid(), "name", q.name())).toList());
        return ApiResponses.json(200, out);
    }
}
