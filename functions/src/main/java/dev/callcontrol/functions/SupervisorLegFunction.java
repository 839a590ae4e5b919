package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.twilio.twiml.voice.Conference;
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

import java.util.Optional;

/**
 * {@code POST /twilio/supervisor-leg?call=WT…&supervisor=WK…}: the TwiML a supervisor's answered
 * leg runs. It joins the call's conference muted (monitor), coaching the agent's leg (whisper) or
 * open (barge), in the mode most recently asked for, labelled {@code supervisor:WK…}. A supervisor
 * who answers after the call ended hears so and the leg ends.
 */
public final class SupervisorLegFunction extends TwilioWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisorLegFunction.class);

    private final CallControl calls;

    public SupervisorLegFunction() {
        this(Config.fromEnvironment());
    }

    public SupervisorLegFunction(Config config) {
        this(config, Wiring.callControl(config));
    }

    SupervisorLegFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        if (!"POST".equals(request.method()) && !"GET".equals(request.method())) {
            throw new HttpError(405, "method_not_allowed", "the supervisor leg's TwiML is fetched with POST or GET");
        }
        String callTask = request.queryParameter("call", Sids.TASK);
        String worker = request.queryParameter("supervisor", Sids.WORKER);
        CallLog.put(CallLog.TASK_SID, callTask);
        Optional<CallControl.SupervisorJoin> join = calls.supervisorJoin(callTask, worker);
        if (join.isEmpty()) {
            LOG.info("Supervisor answered after the call ended or they were taken off it");
            return ApiResponses.twiml(LegTwiml.sayAndHangUp("This call has ended."));
        }
        CallControl.Mode mode = join.get().mode();
        Conference.Builder conference = LegTwiml.join(callTask, Role.SUPERVISOR.label(worker)).muted(mode == CallControl.Mode.MONITOR);
        if (join.get().coachCallSid() != null) {
            conference.coach(join.get().coachCallSid());
        }
        LOG.info("Supervisor answered; joining to {}", mode.label());
        return ApiResponses.twiml(LegTwiml.dial(conference.build(), null));
    }
}
