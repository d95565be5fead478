package io.vmagent.protocol;

/**
 * One rejected field of a bad request.
 *
 * @param pointer a JSON pointer to the field or the parameter's name; may be null
 * @param message what is wrong with it
 */
public record FieldViolation(String pointer, String message) {}
