package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.twilio.twiml.VoiceResponse;
import com.twilio.twiml.voice.Conference;
import com.twilio.twiml.voice.Dial;
import com.twilio.twiml.voice.Hangup;
import com.twilio.twiml.voice.Say;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.calls.Role;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.twilio.TwilioWebhook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Pattern;

/**
 * {@code POST /twilio/transfer-leg?call=WT…&task=WT…&worker=WK…}: the TwiML a transfer target's
 * answered leg runs (the {@code call} instruction's {@code url}). It joins the conference named by
 * the call's task, labelled with the worker and the transfer task so that the join is recognised
 * and the customer taken off hold. If the customer hung up while the target's phone rang, the
 * target hears so and the leg ends, rather than opening an empty conference of the same name.
 */
public final class TransferLegFunction extends TwilioWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(TransferLegFunction.class);
    private static final Pattern TASK_SID = Pattern.compile("^WT[0-9a-fA-F]{32}$");
    private static final Pattern WORKER_SID = Pattern.compile("^WK[0-9a-fA-F]{32}$");

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
        String callTask = required(request, "call", TASK_SID);
        String transferTask = required(request, "task", TASK_SID);
        String worker = required(request, "worker", WORKER_SID);
        CallLog.put(CallLog.TASK_SID, callTask);
        CallLog.put("TransferTaskSid", transferTask);
        if (!calls.transferStillWanted(callTask, transferTask)) {
            LOG.info("Transfer target answered after the transfer ended; telling them and hanging up");
            return ApiResponses.twiml(new VoiceResponse.Builder()
                    .say(new Say.Builder("Sorry, the caller is no longer waiting.").build())
                    .hangup(new Hangup.Builder().build())
                    .build().toXml());
        }
        Conference conference = new Conference.Builder(callTask)
                .participantLabel(Role.AGENT.label(worker, transferTask))
                .startConferenceOnEnter(true)
                .endConferenceOnExit(false)
                .beep(Conference.Beep.FALSE)
                .build();
        LOG.info("Transfer target answered; joining them to the call");
        return ApiResponses.twiml(new VoiceResponse.Builder().dial(new Dial.Builder().conference(conference).build()).build().toXml());
    }

    static String required(ApiRequest request, String name, Pattern pattern) {
        String value = request.queryParameter(name);
        if (value == null || !pattern.matcher(value).matches()) {
            throw HttpError.badRequest("query parameter " + name + " is missing or malformed");
        }
        return value;
    }
}
