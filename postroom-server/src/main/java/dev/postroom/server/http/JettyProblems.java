package dev.postroom.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Errors Jetty answers before a request reaches Javalin (a malformed URI, a URI or headers over
 * the limit, a garbled request line) as problem+json; Jetty's default is an HTML page, which the
 * API promises never to send. Everything that reaches a route goes through {@link Problems}.
 */
final class JettyProblems extends ErrorHandler {
    private static final String PROBLEM_JSON = "application/problem+json; charset=utf-8";
    private final ObjectMapper mapper;

    JettyProblems(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * A request refused before it reached a route (a path with an encoded NUL, say). Jetty may close
     * the connection after such an answer without saying so, and a client that keeps connections
     * then sends its next request on a closed one (a POST is not retried): the answer says
     * {@code Connection: close}, and Jetty then closes it every time.
     */
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        if (code >= 400 && code < 500) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, PROBLEM_JSON);
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    /**
     * Every method gets its problem: Jetty writes an error body only for GET, POST and HEAD by
     * default, so a malformed DELETE or PUT (a path that is not UTF-8) got an empty 400.
     */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    /**
     * A request Jetty could not parse: Jetty closes the connection after this answer, so the answer
     * says so; without {@code Connection: close} a client that keeps connections sends its next
     * request on a closed one, and a POST is not retried.
     */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONNECTION, "close");
        fields.put(HttpHeader.CONTENT_TYPE, PROBLEM_JSON);
        return ByteBuffer.wrap(body(status, reason));
    }

    private byte[] body(int status, String message) {
        String title = HttpStatus.getMessage(status);
        String detail = message == null || message.isBlank() ? title : message;
        try {
            return mapper.writeValueAsBytes(new Problem(Problem.typeFor(status), title, status, detail, null));
        } catch (JsonProcessingException e) {
            return ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
