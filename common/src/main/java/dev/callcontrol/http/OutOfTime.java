package dev.callcontrol.http;

/**
 * A request the invocation had no time for, or that did not answer within the time it was given
 * ({@link Deadline#requestMillis}): a 504 {@code out_of_time}. What the request was for may be
 * repeated; its message says what the service was doing, never which request or how.
 */
public final class OutOfTime extends HttpError {
    public OutOfTime(String message) {
        super(504, "out_of_time", message);
    }

    /** A request that was never sent: the invocation had less than {@link Deadline#MIN_REQUEST_MILLIS} to spare. */
    public static OutOfTime beforeSending(String what) {
        return new OutOfTime("the service ran out of time before " + what + "; try again");
    }

    /** A request sent, and cut when its time ran out: it may or may not have taken effect. */
    public static OutOfTime unanswered(String what) {
        return new OutOfTime(what + " took longer than the service had time for; try again");
    }
}
