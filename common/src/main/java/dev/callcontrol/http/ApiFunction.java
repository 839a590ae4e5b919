package dev.callcontrol.http;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A function behind API Gateway. Lambda calls the stream overload of {@code handleRequest}: the
 * runtime prefers it to the event overload for a {@code Class::handleRequest} handler because it
 * takes more parameters, so the event is read and the response written with the product's own
 * mapper ({@link ApiGatewayJson}) instead of the runtime's reflective serializer, a cold-start
 * saving. The event overload stays for the local runtime and for tests, which build events as
 * objects; both paths run the same code after the event is read.
 */
public abstract class ApiFunction implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, RequestStreamHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ApiFunction.class);

    protected ApiFunction() {
        dev.callcontrol.snapstart.Primers.registerRequests();
    }

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        APIGatewayV2HTTPResponse response;
        try {
            response = handleRequest(ApiGatewayJson.read(input), context);
        } catch (HttpError e) {
            LOG.warn("Rejected an unreadable event: {}", e.getMessage());
            response = rejection(e);
        }
        ApiGatewayJson.write(response, output);
    }

    /** The answer to a request refused before it reached the operation. */
    protected abstract APIGatewayV2HTTPResponse rejection(HttpError error);
}
