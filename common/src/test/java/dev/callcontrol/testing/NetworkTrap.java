package dev.callcontrol.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Proves code makes no network call: a loopback port to point DynamoDB and Twilio at, counting
 * every connection it accepts, and a default proxy selector recording every destination looked up
 * (how URLConnection and Apache's client find their route). Close it to restore the selector.
 */
public final class NetworkTrap implements AutoCloseable {
    private final ServerSocket socket;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<URI> lookedUp = new CopyOnWriteArrayList<>();
    private final ProxySelector previous = ProxySelector.getDefault();

    public NetworkTrap() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!socket.isClosed()) {
                try (Socket ignored = socket.accept()) {
                    connections.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                lookedUp.add(uri);
                return List.of(Proxy.NO_PROXY);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress address, IOException e) {
            }
        });
    }

    /** The local settings with DynamoDB and Twilio both pointed at the trap. */
    public Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(Webhooks.localEnvironment());
        env.put("DYNAMODB_ENDPOINT", "http://127.0.0.1:" + socket.getLocalPort());
        env.put("TWILIO_API_BASE_URL", "http://127.0.0.1:" + socket.getLocalPort());
        return env;
    }

    public int connections() {
        return connections.get();
    }

    public List<URI> lookedUp() {
        return List.copyOf(lookedUp);
    }

    @Override
    public void close() throws IOException {
        ProxySelector.setDefault(previous);
        socket.close();
    }
}
