package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Idempotency;
import dev.callcontrol.agent.IdempotencyKeys;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.TransferTarget;
import dev.callcontrol.config.Config;
import dev.callcontrol.config.Lazy;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.store.CallStore;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code POST /calls} {@code {"to": "+E.164", "from": "+E.164"}}: an outbound call for the calling agent,
 * showing the customer {@code from} (one of {@code OUTBOUND_CALLER_IDS}; {@code CALLER_ID} without it). TaskRouter
 * rings the agent, then dials the customer into a conference named by the new task; the answer
 * (202) names that task, which {@code GET /calls/{taskSid}} follows from then on. Honours
 * {@code Idempotency-Key}: a repeat with the same key and body gets the same task and rings nobody
 * again (the key kept in an item of its own, {@link dev.callcontrol.store.RequestKeys}).
 */
public final class OutboundCallFunction extends AgentEndpoint {
    private final CallControl calls;
    private final Idempotency idempotency;

    public OutboundCallFunction() {
        this(Config.fromEnvironment());
    }

    public OutboundCallFunction(Config config) {
        this(config, Wiring.lazyCallStore(config));
    }

    private OutboundCallFunction(Config config, Wiring.Lazily<CallStore> store) {
        // The DynamoDB client is built only when a request carries a key (or by SnapStart's priming).
        this(config, Wiring.callControl(config, store, Wiring.telephony(config)), Lazy.of(() -> store.records().requestKeys()));
    }

    OutboundCallFunction(Config config, CallControl calls, Supplier<? extends IdempotencyKeys> keys) {
        super(config);
        this.calls = calls;
        this.idempotency = new Idempotency(keys, config.clock());
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        if (!(request.jsonBody().get("to") instanceof String to)) {
            throw HttpError.badRequest("the body must be {\"to\": \"+E.164\"}, with an optional \"from\": \"+E.164\"");
        }
        String from = TransferTarget.callerId(request.jsonBody());
        return idempotency.once(request, principal, () -> {
            String task = calls.dialOut(principal, to.trim(), from);
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("taskSid", task);
            view.put("status", "connecting");
            return ApiResponses.json(202, view);
        });
    }
}
