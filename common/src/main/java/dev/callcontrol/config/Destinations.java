package dev.callcontrol.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The toll-fraud guard: what the product may dial. A number must start with one of
 * {@code DIAL_PREFIXES} and with none of {@code DIAL_DENY_PREFIXES} (the deny-list applies inside
 * the allow-list, so {@code +1} does not let {@code +1900} through). A worker's {@code contact_uri}
 * is dialled only in the forms the workspace uses: {@code client:<identity>}, {@code sip:} on a
 * domain of {@code SIP_DOMAINS}, or a number under the same guard. Sources for the default
 * deny-list: docs/decisions.md, "Toll fraud".
 */
public final class Destinations {
    /**
     * Premium and high-cost ranges inside the prefixes deployments allow most often. NANP: 900
     * (premium, pay-per-call) and the Caribbean and Atlantic area codes that look domestic but are
     * billed as international calls (Bahamas 242, Barbados 246, Anguilla 264, Antigua 268, British
     * Virgin Islands 284, Cayman 345, Bermuda 441, Grenada 473, Turks and Caicos 649, Jamaica 658
     * and 876, Montserrat 664, Sint Maarten 721, St Lucia 758, Dominica 767, St Vincent 784,
     * Dominican Republic 809, 829 and 849, Trinidad 868, St Kitts 869). UK: 09 (premium rate), 070
     * (personal numbering, up to premium rates), 084 and 087 (service charge).
     */
    public static final String DEFAULT_DENY = "+1900,+1242,+1246,+1264,+1268,+1284,+1345,+1441,+1473,+1649,+1658,+1664,+1721,+1758,"
            + "+1767,+1784,+1809,+1829,+1849,+1868,+1869,+1876,+449,+4470,+4484,+4487";

    public static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{6,14}$");
    /** A Twilio Client identity as the product's workspaces name them: letters, digits, {@code _ . @ -}. */
    private static final Pattern CLIENT = Pattern.compile("^client:[A-Za-z0-9_.@-]{1,121}$");
    /** {@code sip:user@host}, with an optional port and {@code ;} parameters; the host is checked against SIP_DOMAINS. */
    private static final Pattern SIP = Pattern.compile("^sips?:[A-Za-z0-9_.!~*'()&=+$,;?/%-]{1,64}@([A-Za-z0-9.-]{1,253})(:[0-9]{1,5})?(;[A-Za-z0-9_.=-]{0,200})?$");
    private static final Pattern PREFIX = Pattern.compile("^\\+[1-9][0-9]{0,14}$");

    private final List<String> allow;
    private final List<String> deny;
    private final List<String> sipDomains;
    private final List<String> callerIds;

    public Destinations(List<String> allow, List<String> deny, List<String> sipDomains) {
        this(allow, deny, sipDomains, List.of());
    }

    /** As above, with the caller IDs an agent may choose ({@code OUTBOUND_CALLER_IDS} and {@code CALLER_ID}). */
    public Destinations(List<String> allow, List<String> deny, List<String> sipDomains, List<String> callerIds) {
        this.allow = List.copyOf(allow);
        this.deny = List.copyOf(deny);
        this.sipDomains = sipDomains.stream().map(domain -> domain.toLowerCase(Locale.ROOT)).toList();
        this.callerIds = List.copyOf(callerIds);
    }

    /** Numbers under {@code allow}, less the default deny-list; no SIP domain. */
    public static Destinations allowing(List<String> allow) {
        return new Destinations(allow, prefixes(DEFAULT_DENY), List.of());
    }

    public static Destinations of(Config config) {
        return new Destinations(config.dialPrefixes(), config.dialDenyPrefixes(), config.sipDomains(), config.outboundCallerIds());
    }

    /** The caller IDs an agent may choose, {@code CALLER_ID} first when it is set. */
    public List<String> callerIds() {
        return callerIds;
    }

    /**
     * Why an agent may not show this caller ID ({@code "from"}), or empty when they may: it must be
     * one of {@code OUTBOUND_CALLER_IDS} (or {@code CALLER_ID}). Twilio itself refuses a {@code From}
     * that is neither a number of the account nor a verified caller ID (error 21210); this list is
     * how an operator says which of those agents may use.
     */
    public Optional<String> callerIdRefusal(String from) {
        return callerIds.contains(from) ? Optional.empty() : Optional.of("it is not one of OUTBOUND_CALLER_IDS");
    }

    public List<String> allow() {
        return allow;
    }

    public List<String> deny() {
        return deny;
    }

    /** Why the product may not dial this E.164 number, or empty when it may. */
    public Optional<String> numberRefusal(String number) {
        if (allow.stream().noneMatch(number::startsWith)) {
            return Optional.of("it is outside DIAL_PREFIXES");
        }
        if (deny.stream().anyMatch(number::startsWith)) {
            return Optional.of("it is in a premium or high-cost range (DIAL_DENY_PREFIXES)");
        }
        return Optional.empty();
    }

    /**
     * Why the product may not ring this {@code contact_uri}, or empty when it may: a
     * {@code client:} identity, a {@code sip:} address on one of {@code SIP_DOMAINS}, or an E.164
     * number the guard allows. The reason never repeats the value.
     */
    public Optional<String> contactUriRefusal(String contactUri) {
        if (CLIENT.matcher(contactUri).matches()) {
            return Optional.empty();
        }
        Matcher sip = SIP.matcher(contactUri);
        if (sip.matches()) {
            return sipDomains.contains(sip.group(1).toLowerCase(Locale.ROOT)) ? Optional.empty()
                    : Optional.of("its SIP domain is not one of SIP_DOMAINS");
        }
        if (E164.matcher(contactUri).matches()) {
            return numberRefusal(contactUri).map(reason -> "it is a number the product may not dial: " + reason);
        }
        return Optional.of("it is not client:<identity>, sip:<user>@<domain> or an E.164 number");
    }

    /** A comma-separated list of E.164 prefixes; {@code none} is the empty list. */
    static List<String> prefixes(String value) {
        List<String> out = new java.util.ArrayList<>();
        if (value == null || value.trim().equalsIgnoreCase("none")) {
            return List.of();
        }
        for (String part : value.split(",")) {
            String prefix = part.trim();
            if (prefix.isEmpty()) {
                continue;
            }
            if (!PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException(prefix);
            }
            out.add(prefix);
        }
        return List.copyOf(out);
    }
}
