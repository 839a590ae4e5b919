package dev.callcontrol.calls;

import dev.callcontrol.http.HttpError;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Where a transfer goes: a named worker, a queue, or an external number. */
public sealed interface TransferTarget {
    Pattern WORKER_SID = Pattern.compile("^WK[0-9a-fA-F]{32}$");
    Pattern QUEUE_SID = Pattern.compile("^WQ[0-9a-fA-F]{32}$");
    Pattern QUEUE_NAME = Pattern.compile("^[\\p{L}\\p{N} _.\\-]{1,64}$");
    Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{6,14}$");

    /** A worker by SID: TaskRouter offers the transfer task to that worker only ({@code requested_agent}). */
    record ToWorker(String workerSid) implements TransferTarget {
    }

    /** A queue by SID or friendly name: any worker of the queue may take it ({@code desired_queue}). */
    record ToQueue(String queue) implements TransferTarget {
    }

    /**
     * An E.164 number outside the contact centre, dialled from {@code from} (one of
     * {@code OUTBOUND_CALLER_IDS}) or, when that is null, from {@code CALLER_ID}.
     */
    record ToNumber(String number, String from) implements TransferTarget {
        public ToNumber(String number) {
            this(number, null);
        }
    }

    String KINDS = "{\"to\": {\"worker\": \"WK...\"}}, {\"to\": {\"queue\": \"WQ... or a queue name\"}} or {\"to\": {\"number\": \"+E.164\"}}";

    /**
     * Reads {@code {"to": {...}}}, with an optional {@code "from"} caller ID for a number; anything
     * else is a 400 that says what is expected.
     */
    static TransferTarget parse(Map<String, Object> body) {
        String from = callerId(body);
        TransferTarget target = parseTo(body);
        if (from == null) {
            return target;
        }
        if (!(target instanceof ToNumber number)) {
            throw HttpError.badRequest("from applies to a transfer to a number only");
        }
        return new ToNumber(number.number(), from);
    }

    /**
     * The optional {@code "from"} of a body: a caller ID in E.164, or null when the body has none.
     * Whether it is one of {@code OUTBOUND_CALLER_IDS} is decided where the number is dialled.
     */
    public static String callerId(Map<String, Object> body) {
        Object from = body == null ? null : body.get("from");
        if (from == null) {
            return null;
        }
        if (!(from instanceof String given) || !E164.matcher(given.trim()).matches()) {
            throw HttpError.badRequest("from must be an E.164 number: +, the country code and up to 14 more digits");
        }
        return given.trim();
    }

    private static TransferTarget parseTo(Map<String, Object> body) {
        Object to = body == null ? null : body.get("to");
        if (!(to instanceof Map<?, ?> target) || target.size() != 1) {
            throw HttpError.badRequest("the body must be one of " + KINDS);
        }
        Map.Entry<?, ?> only = target.entrySet().iterator().next();
        String kind = (String) only.getKey();
        Object value = only.getValue();
        if (!Set.of("worker", "queue", "number").contains(kind)) {
            // The caller's key is not repeated: an error message is shown, and it could be markup.
            throw HttpError.badRequest("unknown transfer target; the body must be one of " + KINDS);
        }
        if (!(value instanceof String given)) {
            throw HttpError.badRequest("to." + kind + " must be a string");
        }
        String text = given.trim();
        return switch (kind) {
            case "worker" -> {
                if (!WORKER_SID.matcher(text).matches()) {
                    throw HttpError.badRequest("to.worker must be a worker SID (WK followed by 32 hex digits)");
                }
                yield new ToWorker(text);
            }
            case "queue" -> {
                if (!QUEUE_SID.matcher(text).matches() && !QUEUE_NAME.matcher(text).matches()) {
                    throw HttpError.badRequest("to.queue must be a queue SID (WQ...) or a queue name");
                }
                yield new ToQueue(text);
            }
            case "number" -> {
                if (!E164.matcher(text).matches()) {
                    throw HttpError.badRequest("to.number must be an E.164 number: +, the country code and up to 14 more digits");
                }
                yield new ToNumber(text);
            }
            default -> throw HttpError.badRequest("unknown transfer target; the body must be one of " + KINDS);
        };
    }
}
