package dev.callcontrol.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callcontrol.http.Json;
import dev.callcontrol.twilio.SignatureVerifier;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Signs requests the way Twilio does, for trying the local runtime with curl and for keeping the
 * sample events in events/ valid.
 *
 * <pre>
 * local/sign URL [name=value ...]   prints X-Twilio-Signature for a form POST of those parameters
 * local/sign --events [DIR]         re-signs every sample event whose headers carry x-twilio-signature
 * </pre>
 *
 * The token is TWILIO_AUTH_TOKEN, or the local runtime's default; events are signed for
 * PUBLIC_BASE_URL, or the local runtime's default base URL.
 */
public final class Sign {
    private Sign() {
    }

    public static void main(String[] args) throws IOException {
        String token = System.getenv().getOrDefault("TWILIO_AUTH_TOKEN", LocalDefaults.AUTH_TOKEN);
        if (args.length == 0) {
            System.err.println("usage: local/sign URL [name=value ...] | local/sign --events [DIR]");
            System.exit(2);
        }
        if ("--events".equals(args[0])) {
            String base = System.getenv().getOrDefault("PUBLIC_BASE_URL", "http://" + LocalDefaults.HOST + ":" + LocalDefaults.PORT);
            Path directory = Path.of(args.length > 1 ? args[1] : "events");
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.json")) {
                for (Path file : files) {
                    if (resignEvent(file, base, token)) {
                        System.out.println("signed " + file);
                    }
                }
            }
            return;
        }
        System.out.println(signature(token, args[0], parameters(java.util.Arrays.asList(args).subList(1, args.length))));
    }

    /** {@code name=value} arguments as a form: a name given twice keeps both values, as a form body would. */
    static Map<String, List<String>> parameters(List<String> arguments) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        for (String argument : arguments) {
            int eq = argument.indexOf('=');
            parameters.computeIfAbsent(eq < 0 ? argument : argument.substring(0, eq), k -> new ArrayList<>()).add(eq < 0 ? "" : argument.substring(eq + 1));
        }
        return parameters;
    }

    /**
     * Base64(HMAC-SHA1(token, url + each parameter's name and value, sorted by name)); a repeated
     * name contributes each of its distinct values, sorted, as Twilio signs it.
     */
    public static String signature(String token, String url, Map<String, List<String>> parameters) {
        return SignatureVerifier.signForm(token, url, parameters);
    }

    private static boolean resignEvent(Path file, String base, String token) throws IOException {
        ObjectNode event = (ObjectNode) Json.MAPPER.readTree(file.toFile());
        ObjectNode headers = (ObjectNode) event.get("headers");
        if (headers == null || !headers.has("x-twilio-signature")) {
            return false;
        }
        String body = event.path("body").asText("");
        if (event.path("isBase64Encoded").asBoolean(false)) {
            body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        }
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                parameters.computeIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8), k -> new ArrayList<>())
                        .add(URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        }
        String query = event.path("rawQueryString").asText("");
        String url = base + event.path("rawPath").asText() + (query.isEmpty() ? "" : "?" + query);
        headers.put("x-twilio-signature", signature(token, url, parameters));
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), event);
        Files.writeString(file, Files.readString(file) + "\n");
        return true;
    }
}
