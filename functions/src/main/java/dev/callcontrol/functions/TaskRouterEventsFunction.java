package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.calls.CallControl;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.http.JsonValues;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.twilio.Sids;
import dev.callcontrol.twilio.TwilioWebhook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * {@code POST /twilio/taskrouter-events}: the workspace's event callback. A transfer task that is
 * canceled while its customer waits on hold (its TTL ran out, or someone canceled it) puts the
 * customer back in their queue, so that nobody is left on hold music forever. A warm transfer's
 * reservation rejected or timed out fails that transfer (declined, timeout), and the customer goes
 * back to the agent. A call's own task canceled (its caller hung up while queued) is reported on the
 * task as an abandon. Other events are acknowledged and ignored: they cost a signature check.
 */
public final class TaskRouterEventsFunction extends TwilioWebhook {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRouterEventsFunction.class);
    private final CallControl calls;

    public TaskRouterEventsFunction() {
        this(Config.fromEnvironment());
    }

    public TaskRouterEventsFunction(Config config) {
        this(config, Wiring.callControl(config));
    }

    TaskRouterEventsFunction(Config config, CallControl calls) {
        super(config);
        this.calls = calls;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        if (!"POST".equals(request.method())) {
            throw new HttpError(405, "method_not_allowed", "TaskRouter events are POSTed");
        }
        Map<String, String> form = request.form();
        String type = form.get("EventType");
        if (type == null || !type.matches("^[a-z-]+(\\.[a-z-]+)+$")) {
            throw HttpError.badRequest("EventType is missing or malformed");
        }
        if (!type.equals("task.canceled") && !type.equals("reservation.rejected") && !type.equals("reservation.timeout")) {
            return ApiResponses.json(200, "{}");
        }
        String task = form.get("TaskSid");
        if (task == null || !Sids.TASK.matcher(task).matches()) {
            throw HttpError.badRequest("TaskSid is missing or malformed");
        }
        CallLog.put("TransferTaskSid", task);
        Map<String, Object> attributes = JsonValues.parseObject(form.getOrDefault("TaskAttributes", "{}"), "TaskAttributes");
        String callTask = attributes.get("transfer") instanceof Map<?, ?> transfer && transfer.get("call_task_sid") instanceof String sid ? sid : null;
        if (callTask == null || !Sids.TASK.matcher(callTask).matches()) {
            if (type.equals("task.canceled") && attributes.get("call_sid") instanceof String) {
                // A call's own task canceled: its caller hung up while queued (an abandon), reported on the task.
                calls.onCallTaskCanceled(task, form.get("TaskCanceledReason"));
            }
            return ApiResponses.json(200, "{}");
        }
        CallLog.put(CallLog.TASK_SID, callTask);
        if (type.startsWith("reservation.")) {
            // Only a warm transfer or an added worker ends on one reservation; a cold transfer's task goes on to the next agent.
            boolean failed = calls.onTransferReservationEnded(callTask, task, type.equals("reservation.rejected"));
            LOG.info("Transfer reservation {}{}", type.substring("reservation.".length()), failed ? ": the warm transfer failed, or the party ended" : "");
            return ApiResponses.json(200, "{}");
        }
        LOG.info("Transfer task canceled ({})", form.getOrDefault("TaskCanceledReason", "no reason given"));
        calls.onTransferTaskCanceled(callTask, task, form.getOrDefault("TaskCanceledReason", "no reason given"));
        return ApiResponses.json(200, "{}");
    }
}
