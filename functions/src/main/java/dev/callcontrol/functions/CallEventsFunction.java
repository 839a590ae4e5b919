package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.twilio.Sids;
import dev.callcontrol.twilio.TwilioWebhook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code POST /twilio/call-events?call=WT…&task=WT…&reservation=WR…} (a transfer target's leg, or
 * with {@code task} the call's own, the pre-call whisper's leg to the agent) or
 * {@code ?call=WT…&supervisor=WK…} (a supervisor's leg) or {@code ?call=WT…&leg=transfer} (an
 * external number dialled by a transfer): status callbacks of legs the product asked
 * Twilio to place. For a transfer target's leg, a final status other than {@code completed}
 * (busy, no answer, failed) means the target never took the call, and call control makes sure
 * the customer is not stranded. A supervisor's leg that ends before joining is forgotten.
 */
public final class CallEventsFunction extends TwilioWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(CallEventsFunction.class);
    private static final Pattern STATUS = Pattern.compile("^[a-z-]{3,20}$");

    private final CallControl calls;

    public CallEventsFunction() {
        this(Config.fromEnvironment());
    }

    public CallEventsFunction(Config config) {
        this(config, Wiring.callControl(config));
    }

    CallEventsFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        if (!"POST".equals(request.method())) {
            throw new HttpError(405, "method_not_allowed", "call status callbacks are POSTed");
        }
        Map<String, String> form = request.form();
        String status = form.get("CallStatus");
        if (status == null || !STATUS.matcher(status).matches()) {
            throw HttpError.badRequest("CallStatus is missing or malformed");
        }
        String callTask = request.queryParameter("call", Sids.TASK);
        CallLog.identify(form);
        CallLog.put(CallLog.TASK_SID, callTask);
        if (request.queryParameter("supervisor") != null) {
            String supervisor = request.queryParameter("supervisor", Sids.WORKER);
            LOG.info("Supervisor leg is {}", status);
            calls.onSupervisorLegEnded(callTask, supervisor, form.get("CallSid"), status);
            return ApiResponses.json(200, "{}");
        }
        if ("transfer".equals(request.queryParameter("leg"))) {
            String callSid = form.get("CallSid");
            if (callSid == null || !Sids.CALL.matcher(callSid).matches()) {
                throw HttpError.badRequest("CallSid is missing or malformed");
            }
            LOG.info("External transfer leg is {}", status);
            calls.onTransferLegEnded(callTask, null, callSid, status);
            return ApiResponses.json(200, "{}");
        }
        String transferTask = request.queryParameter("task", Sids.TASK);
        String reservation = request.optionalQueryParameter("reservation", Sids.RESERVATION);
        CallLog.put("TransferTaskSid", transferTask);
        CallLog.put(CallLog.RESERVATION_SID, reservation);
        LOG.info("Transfer leg is {}", status);
        calls.onTransferLegEnded(callTask, transferTask, form.get("CallSid"), status, reservation);
        return ApiResponses.json(200, "{}");
    }
}
