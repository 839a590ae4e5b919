package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.agent.AgentEndpoint;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.calls.CallListing;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiRequest;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code GET /calls?pageSize=&cursor=}: the caller's live calls, a page at a time, each as
 * {@code GET /calls/{taskSid}} shows it. A supervisor gets every live call; an agent those they are
 * connected to or transferring, as the transferring agent or the target (and the one whose wrap-up
 * they still owe). {@code next} is the cursor of the next page, absent on the last.
 */
public final class ListCallsFunction extends AgentEndpoint {
    static final int DEFAULT_PAGE = 25;
    private static final Pattern PAGE_SIZE = Pattern.compile("^[0-9]{1,3}$");
    private static final Pattern CURSOR = Pattern.compile("^[A-Za-z0-9_-]{1,200}$");

    private final CallListing listing;

    public ListCallsFunction() {
        this(Config.fromEnvironment());
    }

    public ListCallsFunction(Config config) {
        this(config, Wiring.callStore(config));
    }

    ListCallsFunction(Config config, CallListing listing) {
        super(config);
        this.listing = listing;
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request, Principal principal) {
        String size = request.optionalQueryParameter("pageSize", PAGE_SIZE);
        int pageSize = size == null ? DEFAULT_PAGE : Integer.parseInt(size);
        if (pageSize < 1 || pageSize > CallListing.MAX_PAGE) {
            throw HttpError.badRequest("pageSize must be from 1 to " + CallListing.MAX_PAGE);
        }
        String cursor = request.queryParameter("cursor");
        if (cursor != null && !CURSOR.matcher(cursor).matches()) {
            throw new HttpError(400, "bad_cursor", "cursor is not one this listing gave");
        }
        CallListing.Page page;
        try {
            page = principal.supervisor()
                    ? listing.everyLiveCall(cursor, pageSize)
                    : listing.workersCalls(principal.workerSid(), cursor, pageSize);
        } catch (CallListing.BadCursor e) {
            throw new HttpError(400, "bad_cursor", e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("calls", page.calls().stream().map(CallViews::of).toList());
        out.put("next", page.next());
        return ApiResponses.json(200, out);
    }
}
