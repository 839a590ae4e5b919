package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.Role;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.twilio.LegTwiml;
import dev.callcontrol.twilio.Sids;
import dev.callcontrol.twilio.TwilioWebhook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * {@code POST /twilio/transfer-leg?call=WT…&task=WT…&worker=WK…&reservation=WR…}: the TwiML a
 * transfer target's answered leg runs (the {@code call} instruction's {@code url}). It accepts the
 * target's reservation (the instruction does not), then joins the conference named by
 * the call's task, labelled with the worker and the transfer task so that the join is recognised
 * and the customer taken off hold. If the customer hung up while the target's phone rang, the
 * target hears so and the leg ends, rather than opening an empty conference of the same name.
 */
public final class TransferLegFunction extends TwilioWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(TransferLegFunction.class);

    private final CallControl calls;

    public TransferLegFunction() {
        this(Config.fromEnvironment());
    }

    public TransferLegFunction(Config config) {
        this(config, Wiring.callControl(config));
    }

    TransferLegFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        if (!"POST".equals(request.method()) && !"GET".equals(request.method())) {
            throw new HttpError(405, "method_not_allowed", "the transfer leg's TwiML is fetched with POST or GET");
        }
        String callTask = request.queryParameter("call", Sids.TASK);
        String transferTask = request.queryParameter("task", Sids.TASK);
        String worker = request.queryParameter("worker", Sids.WORKER);
        String reservation = request.optionalQueryParameter("reservation", Sids.RESERVATION);
        CallLog.put(CallLog.TASK_SID, callTask);
        CallLog.put("TransferTaskSid", transferTask);
        CallLog.put(CallLog.RESERVATION_SID, reservation);
        if (!calls.answerTransferLeg(callTask, transferTask, reservation)) {
            LOG.info("Transfer target answered after the transfer ended, or their reservation is gone; telling them and hanging up");
            return ApiResponses.twiml(LegTwiml.sayAndHangUp("Sorry, the caller is no longer waiting."));
        }
        LOG.info("Transfer target answered; joining them to the call");
        return ApiResponses.twiml(LegTwiml.dial(LegTwiml.join(callTask, Role.AGENT.label(worker, transferTask)).build(), null));
    }
}
