package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.callcontrol.calls.CallListing;
import dev.callcontrol.calls.CallRecord;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.Json;
import dev.callcontrol.testing.Webhooks;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /calls}: who gets which listing, the page size and cursor read strictly, and each call's view. */
class ListCallsFunctionTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String WORKER = "WK00000000000000000000000000000001";

    /** A listing that answers one page and says what it was asked. */
    private static final class Recording implements CallListing {
        final List<String> asked = new ArrayList<>();
        Page page = new Page(List.of(), null);

        @Override
        public Page everyLiveCall(String cursor, int size) {
            asked.add("every " + cursor + " " + size);
            return page;
        }

        @Override
        public Page workersCalls(String workerSid, String cursor, int size) {
            asked.add(workerSid + " " + cursor + " " + size);
            if ("forged".equals(cursor)) {
                throw new BadCursor("cursor is not one this listing gave");
            }
            return page;
        }
    }

    private static ListCallsFunction function(CallListing listing) {
        return new ListCallsFunction(Config.of(new HashMap<>(Webhooks.localEnvironment())), listing);
    }

    private static APIGatewayV2HTTPEvent request(String query, boolean supervisor) {
        APIGatewayV2HTTPEvent event = Webhooks.sample("list-calls.json");
        event.setRawQueryString(query);
        Map<String, String> parameters = new HashMap<>();
        for (String pair : query.isEmpty() ? new String[0] : query.split("&")) {
            parameters.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
        event.setQueryStringParameters(parameters.isEmpty() ? null : parameters);
        if (supervisor) {
            Map<String, String> claims = new HashMap<>(event.getRequestContext().getAuthorizer().getJwt().getClaims());
            claims.put("cognito:groups", "[supervisors]");
            event.getRequestContext().getAuthorizer().getJwt().setClaims(claims);
        }
        return event;
    }

    @Test
    void anAgentGetsTheirCallsAndASupervisorEveryCall() {
        Recording listing = new Recording();
        CallRecord connecting = new CallRecord(TASK);
        connecting.tasks.put(TASK, CallRecord.TASK_ASSIGNED);
        listing.page = new CallListing.Page(List.of(connecting), "bmV4dA");
        var agent = function(listing).handleRequest(request("", false), null);
        assertEquals(200, agent.getStatusCode(), agent.getBody());
        var body = Json.parse(agent.getBody(), "answer");
        assertEquals("connecting", body.path("calls").path(0).path("status").asText(), "a call before its conference, as GET /calls/{taskSid} shows it");
        assertEquals("assigned", body.path("calls").path(0).path("taskStatus").asText());
        assertEquals("bmV4dA", body.path("next").asText());
        var supervisor = function(listing).handleRequest(request("pageSize=100&cursor=abc", true), null);
        assertEquals(200, supervisor.getStatusCode(), supervisor.getBody());
        assertEquals(List.of(WORKER + " null " + ListCallsFunction.DEFAULT_PAGE, "every abc 100"), listing.asked);
    }

    @Test
    void aBadPageSizeOrCursorIsA400AndAsksNothing() {
        Recording listing = new Recording();
        for (String query : List.of("pageSize=0", "pageSize=101", "pageSize=ten", "pageSize=", "cursor=a%20b", "cursor=")) {
            var response = function(listing).handleRequest(request(query, false), null);
            assertEquals(400, response.getStatusCode(), query + ": " + response.getBody());
        }
        assertEquals(List.of(), listing.asked);
        var forged = function(listing).handleRequest(request("cursor=forged", false), null);
        assertEquals(400, forged.getStatusCode(), forged.getBody());
        assertTrue(forged.getBody().contains("\"code\":\"bad_cursor\""), forged.getBody());
    }
}
