package dev.callcontrol.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.callcontrol.config.Config;
import dev.callcontrol.http.ApiFunction;
import dev.callcontrol.http.ApiResponses;
import dev.callcontrol.http.HttpError;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /console} and {@code GET /console/{file}}: the agent and supervisor console, a page and
 * its script and style, served from the function's own jar so that the same {@code sam deploy} ships
 * it. The page talks to the agent API only, on the same origin, with the same tokens as any client;
 * its Content-Security-Policy lets it load nothing from anywhere else.
 */
public final class ConsoleFunction extends ApiFunction {
    /** Every file the console has, with its media type: nothing else under /console is served. */
    static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");
    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final Map<String, String> contents = new LinkedHashMap<>();

    public ConsoleFunction() {
        this(Config.fromEnvironment());
    }

    /** The console reads no setting; the constructor every function has (SnapStart priming builds each with its configuration). */
    public ConsoleFunction(Config config) {
        FILES.keySet().forEach(name -> contents.put(name, read(name)));
    }

    private static String read(String name) {
        try (InputStream in = ConsoleFunction.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String method = event.getRequestContext() == null || event.getRequestContext().getHttp() == null ? "GET"
                : event.getRequestContext().getHttp().getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return ApiResponses.error(405, "method_not_allowed", "the console is read with GET");
        }
        String file = event.getPathParameters() == null ? null : event.getPathParameters().get("file");
        String name = file == null || file.isEmpty() ? "index.html" : file;
        String type = FILES.get(name);
        if (type == null) {
            return ApiResponses.error(404, "not_found", "the console has no such file");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", type);
        headers.put("Content-Security-Policy", POLICY);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        // The page may carry a token in its fragment: never cached by anyone in between.
        headers.put("Cache-Control", "no-store");
        return APIGatewayV2HTTPResponse.builder().withStatusCode(200).withHeaders(headers).withBody(contents.get(name)).build();
    }

    @Override
    protected APIGatewayV2HTTPResponse rejection(HttpError error) {
        return ApiResponses.error(error);
    }
}
