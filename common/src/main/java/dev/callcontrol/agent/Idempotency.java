package dev.callcontrol.agent;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.calls.CallRecords;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;

import java.util.Iterator;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code Idempotency-Key} for agent commands on a call: the first request with a key runs and its
 * answer is kept in the call's record (and expires with it); a repeat gets that answer again and
 * changes nothing. A repeat that arrives while the first is still running gets 409
 * {@code request_in_progress}. Answers of 5xx are not kept, so that a retry tries again.
 */
public final class Idempotency {
    public static final String HEADER = "Idempotency-Key";
    /** Keys kept per call, newest last; older ones are dropped. */
    static final int KEPT = 50;
    private static final Pattern KEY = Pattern.compile("^[\\x21-\\x7e]{1,200}$");

    private final CallRecords records;

    public Idempotency(CallRecords records) {
        this.records = records;
    }

    public APIGatewayV2HTTPResponse once(ApiRequest request, String taskSid, Supplier<APIGatewayV2HTTPResponse> work) {
        String key = request.header(HEADER);
        if (key == null) {
            return work.get();
        }
        if (!KEY.matcher(key).matches()) {
            throw HttpError.badRequest(HEADER + " must be 1 to 200 visible ASCII characters");
        }
        CallRecord call = records.find(taskSid).orElse(null);
        if (call == null) {
            return work.get();
        }
        String scoped = request.method() + " " + request.path() + " " + key;
        CallRecord.StoredAnswer[] earlier = new CallRecord.StoredAnswer[1];
        records.update(call.taskSid, () -> call, record -> {
            earlier[0] = record.answers.get(scoped);
            if (earlier[0] != null) {
                return false;
            }
            record.answers.put(scoped, new CallRecord.StoredAnswer());
            for (Iterator<String> oldest = record.answers.keySet().iterator(); record.answers.size() > KEPT && oldest.hasNext(); ) {
                oldest.next();
                oldest.remove();
            }
            return true;
        });
        if (earlier[0] != null) {
            if (earlier[0].status == 0) {
                throw CallControlException.conflict("request_in_progress", "a request with this " + HEADER + " is still running");
            }
            return ApiResponses.json(earlier[0].status, earlier[0].body);
        }
        APIGatewayV2HTTPResponse answer;
        try {
            answer = work.get();
        } catch (HttpError e) {
            answer = ApiResponses.error(e);
        } catch (RuntimeException e) {
            forget(call.taskSid, scoped);
            throw e;
        }
        APIGatewayV2HTTPResponse kept = answer;
        if (kept.getStatusCode() >= 500) {
            forget(call.taskSid, scoped);
            return kept;
        }
        records.update(call.taskSid, () -> call, record -> {
            CallRecord.StoredAnswer stored = new CallRecord.StoredAnswer();
            stored.status = kept.getStatusCode();
            stored.body = kept.getBody();
            record.answers.put(scoped, stored);
            return true;
        });
        return kept;
    }

    private void forget(String callTaskSid, String scoped) {
        records.update(callTaskSid, () -> new CallRecord(callTaskSid), record -> record.answers.remove(scoped) != null);
    }
}
