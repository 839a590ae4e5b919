package dev.callcontrol.local;

import com.amazonaws.services.dynamodbv2.local.main.CommandLineInput;
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;

/** DynamoDB Local, in memory, in this JVM, answering on a loopback port. */
public final class EmbeddedDynamoDb implements AutoCloseable {
    private final DynamoDBProxyServer server;
    private final URI endpoint;

    private EmbeddedDynamoDb(DynamoDBProxyServer server, int port) {
        this.server = server;
        this.endpoint = URI.create("http://127.0.0.1:" + port);
    }

    /** Starts on {@code port}, or on a free port when it is 0. */
    public static EmbeddedDynamoDb start(int port) {
        int chosen = port == 0 ? freePort() : port;
        try {
            // ServerRunner.createServer, not createServerFromCommandLineArgs: the same server without the
            // configuration banner the latter prints to standard output (tests that pass print nothing).
            CommandLineInput input = new CommandLineInput(new String[] {"-inMemory", "-port", Integer.toString(chosen), "-disableTelemetry"});
            if (!input.init()) {
                throw new IllegalStateException("DynamoDB Local refused its options");
            }
            DynamoDBProxyServer server = ServerRunner.createServer(input);
            server.start();
            return new EmbeddedDynamoDb(server, chosen);
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local could not start on port " + chosen + ": " + e.getMessage(), e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not stop cleanly", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port for DynamoDB Local", e);
        }
    }
}
