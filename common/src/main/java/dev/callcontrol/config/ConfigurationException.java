package dev.callcontrol.config;

/** A setting is missing or malformed: the function cannot start. */
public final class ConfigurationException extends RuntimeException {
    public ConfigurationException(String message) {
        super(message);
    }
}
