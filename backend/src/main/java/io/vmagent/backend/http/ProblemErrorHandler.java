package io.vmagent.backend.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.Problem;
import io.vmagent.protocol.ProtocolJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers every request Jetty refuses itself before any route runs (an ambiguous URI such as an
 * encoded {@code /}, a malformed header, headers past the 8 KiB limit with 431, a URI too long with
 * 414) with a problem document, like every other refusal of the API, instead of Jetty's HTML page.
 * The document carries the status Jetty chose and the closest error code of the protocol.
 */
final class ProblemErrorHandler extends ErrorHandler {
  /** The codes the backend answers with, by status; agent-side codes (VM_NOT_FOUND...) are not. */
  private static final List<ErrorCode> BACKEND_CODES =
      List.of(
          ErrorCode.BAD_REQUEST,
          ErrorCode.UNAUTHORIZED,
          ErrorCode.FORBIDDEN,
          ErrorCode.NOT_FOUND,
          ErrorCode.CONFLICT,
          ErrorCode.PAYLOAD_TOO_LARGE,
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          ErrorCode.RATE_LIMITED,
          ErrorCode.BACKEND_UNAVAILABLE,
          ErrorCode.INTERNAL);

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
    if (code < 400) {
      super.generateResponse(request, response, code, message, cause, callback);
      return;
    }
    ErrorCode errorCode = codeFor(code);
    HttpURI uri = request.getHttpURI();
    Problem problem =
        new Problem(
            Problem.TYPE_PREFIX + errorCode.name(),
            errorCode.message(),
            code,
            message != null ? message : HttpStatus.getMessage(code),
            uri == null ? null : uri.getPath(),
            errorCode,
            List.of());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.write(true, ByteBuffer.wrap(mapper.writeValueAsBytes(problem)), callback);
  }

  /** The code with this status, else BAD_REQUEST for a 4xx (431, 414, 405...), INTERNAL for 5xx. */
  static ErrorCode codeFor(int status) {
    for (ErrorCode code : BACKEND_CODES) {
      if (code.httpStatus() == status) {
        return code;
      }
    }
    return status < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL;
  }
}
