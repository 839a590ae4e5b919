package dev.callcontrol.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The door of the local runtime's own {@code /dev/*} routes (tokens for any worker, DynamoDB faults,
 * running the reconciler). Against the simulator they are open: its workspace is made up. Against
 * real Twilio ({@code LOCAL_TWILIO=real}) the workers are real and the port may be reachable through
 * a tunnel, so every {@code /dev/*} route answers 404, as if it did not exist, unless
 * {@code LOCAL_DEV_SECRET} is set and the request carries it in {@value #HEADER}.
 */
final class DevGate implements HttpHandler {
    static final String HEADER = "X-Dev-Secret";
    static final String SECRET_VARIABLE = "LOCAL_DEV_SECRET";

    private final HttpHandler inner;
    /** Null: every request is refused. */
    private final byte[] secret;

    private DevGate(HttpHandler inner, byte[] secret) {
        this.inner = inner;
        this.secret = secret;
    }

    /** {@code inner} as it is when {@code open}; otherwise behind the secret (none set: always 404). */
    static HttpHandler guard(HttpHandler inner, boolean open, String secret) {
        if (open) {
            return inner;
        }
        return new DevGate(inner, secret == null || secret.isBlank() ? null : secret.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String sent = exchange.getRequestHeaders().getFirst(HEADER);
        if (secret != null && sent != null && MessageDigest.isEqual(secret, sent.getBytes(StandardCharsets.UTF_8))) {
            inner.handle(exchange);
            return;
        }
        try (exchange) {
            exchange.getRequestBody().readNBytes(16 * 1024);
            DevAnswers.json(exchange, 404, DevAnswers.error("not_found", "no such route"));
        }
    }
}
