package dev.callcontrol.local.sim;

import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Programmable Voice's REST conventions, shared by the simulator's Call, Conference and Participant
 * resources: the 2010-04-01 API's SID and address formats, its request parameters (required values,
 * booleans, timeouts, absolute URLs, callback methods and events), its list envelope, and Twilio's
 * default music. The resources are {@link Calls}, {@link Conferences} and {@link Participants}, at the
 * paths {@link VoiceRoutes} lists; {@link TwimlInterpreter} runs TwiML and {@link Hearing} says who
 * hears whom. Every method runs under the world's lock.
 *
 * <p>Twilio's docs: https://www.twilio.com/docs/voice/api (the REST API),
 * https://www.twilio.com/docs/usage/twilios-response (resources, errors and list paging).
 */
final class Voice {
    static final String SID = "([A-Z]{2}[0-9a-fA-F]{32})";
    /** Twilio's own default music for conference waiting and hold (https://www.twilio.com/docs/voice/twiml/conference#attributes-waitUrl). */
    static final String DEFAULT_MUSIC = "http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical";
    static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{1,14}$");
    private static final Pattern CLIENT = Pattern.compile("^client:[A-Za-z0-9_.@\\-]{1,256}$");
    private static final Pattern SIP = Pattern.compile("^sip:[^\\s]+@[^\\s]+$");
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(15);

    private Voice() {
    }

    static void requireAccount(SimWorld world, TwilioSimulator.Call request) {
        if (!world.accountSid.equals(request.variable(1))) {
            throw new TwilioError(404, 20404, "The requested resource " + request.path().group(0) + " was not found");
        }
    }

    /**
     * One page of a 2010-04-01 list, in the API's envelope: the page's items under {@code key}, and
     * {@code first_page_uri}, {@code next_page_uri} (null on the last page), {@code previous_page_uri}
     * (null on the first), {@code uri}, {@code page}, {@code page_size}, {@code start} and {@code end}.
     * The links keep the request's filters ({@link Paging}); {@code items} are the list's matches in any
     * order, {@code sid} names each (a token must carry a {@code sidPrefix} SID) and {@code json} shows it.
     */
    static <T> Map<String, Object> page(SimWorld world, TwilioSimulator.Call request, String key, String sidPrefix,
                                        Collection<T> items, Function<T, String> sid, Function<T, Map<String, Object>> json) {
        Paging.Request paging = Paging.request(request, sidPrefix);
        // [rule voice.rest.list-order]
        Comparator<String> order = world.rules.is("voice.rest.list-order", "newest-first")
                ? Paging.creationOrder().reversed() : Paging.creationOrder();
        List<T> sorted = items.stream().sorted(Comparator.comparing(sid, order)).toList();
        Paging.Page<T> page = Paging.cut(sorted, sid, order, paging);
        // [rule voice.rest.paging]
        String path = request.path().group(0);
        int size = paging.pageSize();
        int index = paging.page();
        long start = (long) index * size;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(key, page.items().stream().map(json).toList());
        out.put("end", start + Math.max(0, page.items().size() - 1));
        out.put("first_page_uri", path + "?" + Paging.query(request, size, 0, null));
        out.put("next_page_uri", page.after() ? path + "?" + Paging.query(request, size, index + 1, "PA" + page.lastSid()) : null);
        out.put("page", index);
        out.put("page_size", size);
        out.put("previous_page_uri", index > 0 && page.before() ? path + "?" + Paging.query(request, size, index - 1, "PB" + page.firstSid()) : null);
        out.put("start", start);
        out.put("uri", path + "?" + Paging.query(request, size, index, paging.token()));
        return out;
    }

    // ---------------------------------------------------------------- parameters

    static String required(TwilioSimulator.Call request, String name, int code, String message) {
        String value = request.first(name);
        if (value == null || value.isBlank()) {
            throw new TwilioError(400, code, message);
        }
        return value.trim();
    }

    static void checkAddress(String address, int code, String message) {
        if (!E164.matcher(address).matches() && !CLIENT.matcher(address).matches() && !SIP.matcher(address).matches()) {
            throw new TwilioError(400, code, message);
        }
    }

    static void checkFrom(String from) {
        if (!E164.matcher(from).matches() && !CLIENT.matcher(from).matches()) {
            throw new TwilioError(400, 21212, "Invalid 'From' Phone Number: " + from);
        }
    }

    static void checkAbsolute(String url, String name) {
        try {
            URI uri = URI.create(url);
            if (!uri.isAbsolute() || uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new TwilioError(400, 21205, name + " must be an absolute http(s) URL: " + url);
            }
        } catch (IllegalArgumentException e) {
            throw new TwilioError(400, 21205, name + " is not a valid URL: " + url);
        }
    }

    static boolean bool(TwilioSimulator.Call request, String name, boolean fallback) {
        String value = request.first(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new TwilioError(400, 20001, name + " must be true or false");
        };
    }

    static int timeout(String value, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Math.max(5, Math.min(600, Integer.parseInt(value.trim())));
        } catch (NumberFormatException e) {
            throw new TwilioError(400, 20001, "Timeout must be an integer");
        }
    }

    static String method(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim().toUpperCase(Locale.ROOT);
    }

    static Callback callback(String url, String method, Set<String> events) {
        return new Callback(url == null || url.isBlank() ? null : url, method(method, "POST"), events);
    }

    /** Event names given as repeated parameters or space-separated in one. */
    static Set<String> events(List<String> values, Set<String> fallback) {
        if (values == null || values.isEmpty()) {
            return fallback;
        }
        Set<String> events = new LinkedHashSet<>();
        for (String value : values) {
            for (String event : value.split("[\\s,]+")) {
                if (!event.isBlank()) {
                    events.add(event.toLowerCase(Locale.ROOT));
                }
            }
        }
        return events;
    }
}
