package dev.callcontrol.agent;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiFunction;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.Deadline;
import dev.callcontrol.http.HttpError;
import dev.callcontrol.logging.CallLog;
import dev.callcontrol.metrics.EmfMetrics;
import dev.callcontrol.twilio.TwilioClients;
import dev.callcontrol.twilio.TwilioTelephony;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Pattern;

/**
 * Base of every agent-API function: parse the event, establish the {@link Principal} from the
 * verified JWT claims or the Flex authorizer's context (401 without them), check that a body, if there is one, is JSON (415 or 400
 * otherwise, also on routes that read none, so that a garbled request never runs a command), then
 * run the operation. Every refusal is a JSON error with a 4xx status; a failing dependency is
 * logged and answered 503 without internals.
 */
public abstract class AgentEndpoint extends ApiFunction {
    private static final Logger LOG = LoggerFactory.getLogger(AgentEndpoint.class);
    private static final Pattern TASK_SID = Pattern.compile("^WT[0-9a-fA-F]{32}$");

    private final String workerClaim;
    private final String groupsClaim;
    private final String supervisorGroup;
    private final WorkerIdentity identity;
    private final EmfMetrics metrics;
    private final java.time.Clock clock;

    protected AgentEndpoint(Config config) {
        this.metrics = EmfMetrics.of(config);
        this.workerClaim = config.authWorkerClaim();
        this.groupsClaim = config.authGroupsClaim();
        this.supervisorGroup = config.supervisorGroup();
        this.identity = identity(config);
        this.clock = config.clock();
    }

    /**
     * The binding check {@code AUTH_WORKER_BINDING} asks for. With {@code worker-attribute}, workers
     * are read from TaskRouter through a client built on the first request that needs one, and kept
     * for a few minutes ({@link TwilioTelephony#worker}).
     */
    private static WorkerIdentity identity(Config config) {
        if (config.authWorkerBinding() == Config.WorkerBinding.CLAIM) {
            return WorkerIdentity.TRUST_CLAIM;
        }
        TwilioClients.Settings twilio = TwilioClients.Settings.of(config);
        TwilioTelephony workers = TwilioTelephony.lazily(() -> TwilioClients.restClient(twilio), config.workspaceSid(), config.workflowSid());
        return WorkerIdentity.boundByWorkerAttribute(workers::worker);
    }

    @Override
    public final APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return CallLog.invocation(context, () -> metrics.around(() -> Deadline.within(context, () -> serve(event))));
    }

    private APIGatewayV2HTTPResponse serve(APIGatewayV2HTTPEvent event) {
        try {
            ApiRequest request = ApiRequest.from(event);
            Principal principal;
            if (!request.authorizerContext().isEmpty()) {
                // AgentAuth=flex: the Flex authorizer validated the token with Twilio, whose worker_sid is the worker.
                principal = Principal.fromAuthorizerContext(request.authorizerContext(), clock.instant());
                CallLog.put("WorkerSid", principal.workerSid());
            } else {
                principal = Principal.fromClaims(request.claims(), workerClaim, groupsClaim, supervisorGroup);
                CallLog.put("WorkerSid", principal.workerSid());
                identity.check(principal, request.claims().get("sub"));
            }
            if (!request.body().isEmpty()) {
                request.jsonBody();
            }
            return handle(request, principal);
        } catch (HttpError e) {
            LOG.info("Agent request refused: {} {}", e.status(), e.getMessage());
            return ApiResponses.error(e);
        } catch (RuntimeException e) {
            // A dependency failed (DynamoDB, the network): nothing about it leaves the function but a retryable 503.
            LOG.error("Agent request failed", e);
            return ApiResponses.error(HttpError.unavailable());
        }
    }

    @Override
    protected final APIGatewayV2HTTPResponse rejection(HttpError error) {
        return ApiResponses.error(error);
    }

    /** Serves a request from an authenticated principal. */
    protected abstract APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal);

    /** The {@code taskSid} path parameter, checked against TaskRouter's SID pattern (400 otherwise). */
    protected static String taskSid(ApiRequest request) {
        String sid = request.pathParameter("taskSid");
        if (sid == null || !TASK_SID.matcher(sid).matches()) {
            throw HttpError.badRequest("taskSid must be a TaskRouter task SID (WT followed by 32 hex digits)");
        }
        CallLog.put(CallLog.TASK_SID, sid);
        return sid;
    }
}
