package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.Telephony;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.store.CallStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /calls/{taskSid}/hold} {@code {"hold": true|false}}: holds or resumes the customer.
 * One Twilio request (the participant update) on the way; holding a held customer is a no-op.
 * Only the connected agent may do it.
 */
public final class HoldFunction extends AgentEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(HoldFunction.class);

    private final CallStore store;
    private final Telephony telephony;
    private final String holdUrl;

    public HoldFunction() {
        this(Config.fromEnvironment());
    }

    public HoldFunction(Config config) {
        this(config, Wiring.callStore(config), Wiring.telephony(config));
    }

    HoldFunction(Config config, CallStore store, Telephony telephony) {
        super(config);
        this.store = store;
        this.telephony = telephony;
        this.holdUrl = config.publicBaseUrl() + "/twilio/hold-music";
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String taskSid = taskSid(request);
        JsonNode body = request.jsonBody();
        JsonNode hold = body.get("hold");
        if (hold == null || !hold.isBoolean()) {
            throw HttpError.badRequest("the body must be {\"hold\": true} or {\"hold\": false}");
        }
        CallRecord call = store.find(taskSid).orElse(null);
        if (call == null || call.conferenceSid == null) {
            telephony.task(taskSid).orElseThrow(() -> CallControlException.notFound("no task " + taskSid));
            throw CallControlException.conflict("no_conference", "the call has no conference yet");
        }
        if (!principal.workerSid().equals(call.workerSid)) {
            throw CallControlException.forbidden("only the agent connected to this call may hold it");
        }
        if (call.ended()) {
            throw CallControlException.conflict("call_ended", "the call has ended");
        }
        CallRecord.Leg customer = call.customer();
        if (customer == null || !customer.present) {
            throw CallControlException.conflict("no_customer", "the customer is not in the conference");
        }
        CallLog.put(CallLog.CONFERENCE_SID, call.conferenceSid);
        boolean wanted = hold.booleanValue();
        if (customer.hold != wanted) {
            telephony.hold(call.conferenceSid, customer.callSid, wanted, holdUrl);
            LOG.info(wanted ? "Customer held" : "Customer resumed");
            call = store.update(taskSid, () -> new CallRecord(taskSid), record -> {
                CallRecord.Leg leg = record.customer();
                if (leg == null || leg.hold == wanted) {
                    return false;
                }
                leg.hold = wanted;
                return true;
            }).orElse(call);
        }
        return ApiResponses.json(200, call.view());
    }
}
