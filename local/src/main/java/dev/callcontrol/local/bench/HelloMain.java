package dev.callcontrol.local.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A floor of the cold-start benchmark: a plain {@code main} that tells the benchmark it is up over
 * one raw HTTP request (no HTTP client library to load).
 */
public final class HelloMain {
    private HelloMain() {
    }

    public static void main(String[] args) throws IOException {
        URI api = URI.create(args[0]);
        try (Socket socket = new Socket(api.getHost(), api.getPort()); OutputStream out = socket.getOutputStream()) {
            byte[] body = "{\"statusCode\":200}".getBytes(StandardCharsets.US_ASCII);
            out.write(("POST /hello HTTP/1.1\r\nHost: " + api.getHost() + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            socket.getInputStream().read();
        }
    }
}
