package io.vmagent.protocol;

import java.util.List;

/**
 * An RFC 9457 problem document ({@code application/problem+json}) carrying the stable error code.
 *
 * @param type {@code urn:vmagent:error:CODE}
 * @param title the code's sentence
 * @param status the HTTP status
 * @param detail what exactly went wrong with this request; may be null
 * @param instance the request path; may be null
 * @param code the stable error code
 * @param errors the rejected fields of a bad request; empty otherwise
 */
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    String instance,
    ErrorCode code,
    List<FieldViolation> errors) {

  /** The media type of problem documents. */
  public static final String MEDIA_TYPE = "application/problem+json";

  /** The URN prefix of the {@code type} member. */
  public static final String TYPE_PREFIX = "urn:vmagent:error:";

  /** Normalises an absent list to an empty one. */
  public Problem {
    errors = Copies.list(errors);
  }

  /** The problem for a code, with this request's detail. */
  public static Problem of(ErrorCode code, String detail, String instance) {
    return of(code, detail, instance, List.of());
  }

  /** The problem for a code, with this request's detail and rejected fields. */
  public static Problem of(
      ErrorCode code, String detail, String instance, List<FieldViolation> errors) {
    return new Problem(
        TYPE_PREFIX + code.name(),
        code.message(),
        code.httpStatus(),
        detail,
        instance,
        code,
        errors);
  }
}
