package dev.callcontrol.local.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How Twilio connects to one webhook URL: its connection overrides, read from the URL's fragment
 * ({@code #ct=..&rt=..&tt=..&rc=..&rp=..&e=..&sni=..}), or Twilio's defaults for what the fragment
 * does not set (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides).
 *
 * <table>
 *   <caption>The overrides, their limits and defaults</caption>
 *   <tr><th>key</th><th>meaning</th><th>limits</th><th>default</th></tr>
 *   <tr><td>{@code ct}</td><td>connect timeout, ms</td><td>100–10000</td><td>5000</td></tr>
 *   <tr><td>{@code rt}</td><td>read timeout (first answer byte, and between packets), ms</td><td>100–15000</td><td>15000</td></tr>
 *   <tr><td>{@code tt}</td><td>total time for every attempt together, ms</td><td>100–15000</td><td>15000</td></tr>
 *   <tr><td>{@code rc}</td><td>retries after the first attempt</td><td>0–5</td><td>1</td></tr>
 *   <tr><td>{@code rp}</td><td>which failures are retried: {@code 4xx}, {@code 5xx}, {@code ct}, {@code rt}, {@code all}, comma-separated</td><td></td><td>{@code ct}</td></tr>
 *   <tr><td>{@code e}, {@code sni}</td><td>egress edge, Server Name Indication</td><td></td><td>(none: nothing changes on loopback)</td></tr>
 * </table>
 *
 * A value outside its limits, or an {@code rp} value Twilio does not list, is reported in
 * {@link #problems()} and the default is kept for it ({@code webhooks.connection-overrides.invalid}).
 */
record ConnectionOverrides(int connectTimeoutMillis, int readTimeoutMillis, int totalTimeMillis, int retryCount,
                           Set<String> retryPolicy, String edge, String sni, List<String> problems) {
    /** The failure classes {@code rp} names; {@code all} stands for every one of them. */
    static final List<String> FAILURES = List.of("4xx", "5xx", "ct", "rt");

    /**
     * What Twilio does for a URL with no overrides: one retry, only when the connection could not be
     * made; an HTTP error answer is not retried. [rule webhooks.retry.default]
     */
    static final ConnectionOverrides DEFAULTS = new ConnectionOverrides(5000, 15000, 15000, 1, Set.of("ct"), null, null, List.of());

    ConnectionOverrides {
        retryPolicy = Set.copyOf(retryPolicy);
        problems = List.copyOf(problems);
    }

    /** The overrides a fragment (what follows {@code #}, or null for none) asks for. [rule webhooks.connection-overrides] */
    static ConnectionOverrides parse(String fragment) {
        if (fragment == null || fragment.isEmpty()) {
            return DEFAULTS;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : fragment.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        List<String> problems = new ArrayList<>();
        int ct = number(values, "ct", 100, 10_000, DEFAULTS.connectTimeoutMillis, problems);
        int rt = number(values, "rt", 100, 15_000, DEFAULTS.readTimeoutMillis, problems);
        int tt = number(values, "tt", 100, 15_000, DEFAULTS.totalTimeMillis, problems);
        int rc = number(values, "rc", 0, 5, DEFAULTS.retryCount, problems);
        Set<String> rp = DEFAULTS.retryPolicy;
        String policy = values.get("rp");
        if (policy != null) {
            Set<String> chosen = new LinkedHashSet<>();
            boolean valid = !policy.isEmpty();
            for (String value : policy.split(",")) {
                String v = value.trim();
                if (v.equals("all")) {
                    chosen.addAll(FAILURES);
                } else if (FAILURES.contains(v)) {
                    chosen.add(v);
                } else {
                    valid = false;
                }
            }
            if (valid) {
                rp = chosen;
            } else {
                // [rule webhooks.connection-overrides.invalid] error 11243: the policy is refused, the default kept.
                problems.add("11243 HTTP retry policy is invalid: rp=" + policy);
            }
        }
        return new ConnectionOverrides(ct, rt, tt, rc, rp, values.get("e"), values.get("sni"), problems);
    }

    /** Whether a failed attempt of this class ({@code 4xx}, {@code 5xx}, {@code ct} or {@code rt}) is retried. [rule webhooks.retry.policy] */
    boolean retries(String failure) {
        return retryPolicy.contains(failure);
    }

    /** For the delivery log. */
    Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ct", connectTimeoutMillis);
        out.put("rt", readTimeoutMillis);
        out.put("tt", totalTimeMillis);
        out.put("rc", retryCount);
        out.put("rp", FAILURES.stream().filter(retryPolicy::contains).toList());
        if (edge != null) {
            out.put("e", edge);
        }
        if (sni != null) {
            out.put("sni", sni);
        }
        return out;
    }

    private static int number(Map<String, String> values, String key, int min, int max, int fallback, List<String> problems) {
        String value = values.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        // [rule webhooks.connection-overrides.invalid]
        problems.add(key + "=" + value + " is outside " + min + "–" + max + "; the default " + fallback + " applies");
        return fallback;
    }
}
