package dev.callcontrol.calls;

import java.util.List;

/**
 * Live calls a page at a time, for {@code GET /calls}: every live call (supervisors), or those a
 * worker is involved in ({@link Involvement}). Neither scans the table: the first reads the live
 * index, the second the worker's own entries.
 */
public interface CallListing {
    /** The most calls one page holds. */
    int MAX_PAGE = 100;

    /** One page: its calls, and the cursor of the next page (null on the last). */
    record Page(List<CallRecord> calls, String next) {
    }

    /** Thrown for a cursor this listing did not give (or gave for another listing). */
    final class BadCursor extends IllegalArgumentException {
        public BadCursor(String message) {
            super(message);
        }
    }

    /** Live calls from {@code cursor} (null: the first page), at most {@code size}. */
    Page everyLiveCall(String cursor, int size);

    /** The live calls {@code workerSid} is involved in, from {@code cursor}, at most {@code size}. */
    Page workersCalls(String workerSid, String cursor, int size);
}
