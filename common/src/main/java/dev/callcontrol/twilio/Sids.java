package dev.callcontrol.twilio;

import java.util.regex.Pattern;

/** The shapes of the Twilio SIDs the product reads from requests. */
public final class Sids {
    public static final Pattern TASK = Pattern.compile("^WT[0-9a-fA-F]{32}$");
    public static final Pattern WORKER = Pattern.compile("^WK[0-9a-fA-F]{32}$");
    public static final Pattern CALL = Pattern.compile("^CA[0-9a-fA-F]{32}$");
    public static final Pattern RESERVATION = Pattern.compile("^WR[0-9a-fA-F]{32}$");

    private Sids() {
    }
}
