package io.vmagent.backend.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.Problem;
import io.vmagent.protocol.ProtocolJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the requests Jetty refuses itself before any route runs (an ambiguous or suspicious URI
 * such as an encoded {@code /}, a malformed header) with a problem document, like every other
 * refusal of the API, instead of Jetty's HTML page. Other statuses keep Jetty's own answer.
 */
final class ProblemErrorHandler extends ErrorHandler {
  private final ObjectMapper mapper = ProtocolJson.strictMapper();

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback)
      throws IOException {
    if (code != ErrorCode.BAD_REQUEST.httpStatus()) {
      super.generateResponse(request, response, code, message, cause, callback);
      return;
    }
    byte[] body =
        mapper.writeValueAsBytes(
            Problem.of(ErrorCode.BAD_REQUEST, message, request.getHttpURI().getPath()));
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.write(true, ByteBuffer.wrap(body), callback);
  }
}
