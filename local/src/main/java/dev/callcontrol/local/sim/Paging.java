package dev.callcontrol.local.sim;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Twilio's list paging, shared by the simulator's Programmable Voice (2010-04-01) and TaskRouter (v1)
 * lists: the paging parameters of a list request ({@code PageSize}, {@code Page}, {@code PageToken})
 * checked as Twilio checks them, one page cut from a list in its stable order, and the query strings of
 * the links to the first, previous and next pages, which keep the request's filters. {@link Voice#page}
 * wraps a page in the 2010 envelope and {@link TaskRouterState#page} in TaskRouter's {@code meta} block.
 *
 * <p>A page token names the item a page follows ({@code PA} and its SID) or the item it precedes
 * ({@code PB} and its SID), as the next and previous page URIs in twilio-oai's examples do
 * ({@code PageToken=PACA...}, {@code PageToken=PBCA...}). The simulator's SIDs count up, so a list in
 * SID order is in creation order, and a token still places a page after its item has been deleted or
 * no longer matches the filters: a client that follows the next links sees each item once.
 *
 * <p>Sources: https://www.twilio.com/docs/usage/twilios-response#pagination, the {@code PageSize},
 * {@code Page} and {@code PageToken} parameters of every list operation in twilio-oai, and
 * twilio-java's {@code Page} and {@code ResourceSet}, which follow {@code next_page_uri} or
 * {@code meta.next_page_url} until it is null.
 */
final class Paging {
    static final int DEFAULT_PAGE_SIZE = 50;
    static final int MAX_PAGE_SIZE = 1000;
    private static final Set<String> PAGING = Set.of("PageSize", "Page", "PageToken");

    /** The paging parameters of one list request: {@code token} is null on a first page. */
    record Request(int pageSize, int page, String token) {
    }

    /** One page of a list: its items, whether the list has items before and after it, and the SIDs its links name. */
    record Page<T>(List<T> items, boolean before, boolean after, String firstSid, String lastSid) {
    }

    private Paging() {
    }

    /**
     * Refuses a page size over Twilio's maximum before the request is checked against the specs,
     * whose {@code maximum: 1000} would otherwise answer it with the contract's 20001.
     */
    static void refuseOversized(Map<String, List<String>> query) {
        List<String> values = query.get("PageSize");
        if (values == null || values.isEmpty()) {
            return;
        }
        try {
            // [rule rest.paging.page-size-too-large]
            if (Long.parseLong(values.get(0).trim()) > MAX_PAGE_SIZE) {
                throw tooLarge();
            }
        } catch (NumberFormatException e) {
            // Not a number: the contract check (or request(), without one) answers it.
        }
    }

    /** The paging parameters of {@code call}, refused as Twilio refuses them; a token must name a {@code sidPrefix} SID. */
    static Request request(TwilioSimulator.Call call, String sidPrefix) {
        // [rule rest.paging.malformed]
        long pageSize = integer(call.first("PageSize"), DEFAULT_PAGE_SIZE, "PageSize");
        if (pageSize < 1) {
            throw new TwilioError(400, 20001, "PageSize must be between 1 and " + MAX_PAGE_SIZE);
        }
        // [rule rest.paging.page-size-too-large]
        if (pageSize > MAX_PAGE_SIZE) {
            throw tooLarge();
        }
        long page = integer(call.first("Page"), 0, "Page");
        if (page < 0 || page >= Integer.MAX_VALUE) {
            throw new TwilioError(400, 20001, "Page must be a whole number from 0");
        }
        String token = call.first("PageToken");
        if (token != null && token.isBlank()) {
            token = null;
        }
        // [rule rest.paging.page-token]
        if (token != null && !Pattern.matches("^P[AB]" + sidPrefix + "[0-9a-fA-F]{32}$", token)) {
            throw new TwilioError(400, 21481, "Invalid PageToken");
        }
        // Absolute paging is gone: a page after the first is reached only through the token its link carries.
        // [rule voice.rest.paging.page-needs-token] (2010-04-01) [rule taskrouter.rest.paging.page-needs-token] (v1)
        if (page > 0 && token == null) {
            throw new TwilioError(400, 20001, "PageToken is required for paging.");
        }
        return new Request((int) pageSize, (int) page, token);
    }

    /**
     * The page {@code request} asks for from {@code items}, which are in the list's order: the first
     * {@code pageSize} items, those after the item a {@code PA} token names, or the last
     * {@code pageSize} before the item a {@code PB} token names. {@code order} compares two SIDs as the
     * list orders them.
     */
    static <T> Page<T> cut(List<T> items, Function<T, String> sid, Comparator<String> order, Request request) {
        int from;
        int to;
        if (request.token() == null) {
            from = 0;
            to = Math.min(items.size(), request.pageSize());
        } else {
            String named = request.token().substring(2);
            if (request.token().startsWith("PA")) {
                from = boundary(items, sid, order, named, true);
                to = Math.min(items.size(), from + request.pageSize());
            } else {
                to = boundary(items, sid, order, named, false);
                from = Math.max(0, to - request.pageSize());
            }
        }
        List<T> page = new ArrayList<>(items.subList(from, to));
        if (page.isEmpty()) {
            return new Page<>(page, false, false, null, null);
        }
        return new Page<>(page, from > 0, to < items.size(), sid.apply(page.get(0)), sid.apply(page.get(page.size() - 1)));
    }

    /**
     * Where {@code named} falls in the list: the index of the first item after it ({@code after}), or
     * of the first item not before it. The named item need not be in the list any more.
     */
    private static <T> int boundary(List<T> items, Function<T, String> sid, Comparator<String> order, String named, boolean after) {
        int index = 0;
        while (index < items.size()) {
            int comparison = order.compare(sid.apply(items.get(index)), named);
            if (after ? comparison > 0 : comparison >= 0) {
                break;
            }
            index++;
        }
        return index;
    }

    /** SIDs of one prefix compared as the counting hex digits they end in: creation order. */
    static Comparator<String> creationOrder() {
        return String.CASE_INSENSITIVE_ORDER;
    }

    /**
     * The query of a link to a page of the same list: the request's own filters first, in the order it
     * sent them, then {@code PageSize}, {@code Page} and, unless null, {@code PageToken}, form-encoded
     * as Twilio's links are ({@code To=%2B14155550100}).
     */
    static String query(TwilioSimulator.Call call, int pageSize, int page, String token) {
        StringBuilder out = new StringBuilder();
        call.parameters().forEach((name, values) -> {
            if (!PAGING.contains(name)) {
                for (String value : values) {
                    out.append(encode(name)).append('=').append(encode(value)).append('&');
                }
            }
        });
        out.append("PageSize=").append(pageSize).append("&Page=").append(page);
        if (token != null) {
            out.append("&PageToken=").append(encode(token));
        }
        return out.toString();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static long integer(String value, long fallback, String name) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new TwilioError(400, 20001, name + " must be an integer");
        }
    }

    private static TwilioError tooLarge() {
        return new TwilioError(400, 20007, "Page size too large. The maximum page size is " + MAX_PAGE_SIZE);
    }
}
