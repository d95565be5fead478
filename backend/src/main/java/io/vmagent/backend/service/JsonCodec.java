package io.vmagent.backend.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.protocol.ProtocolJson;

/**
 * JSON for what the backend stores itself (documents it validated before). Reading uses the
 * tolerant mapper so rows written by an older version still load.
 */
public final class JsonCodec {
  private final ObjectMapper writer = ProtocolJson.strictMapper();
  private final ObjectMapper reader = ProtocolJson.tolerantMapper();

  /** The JSON text of a value. */
  public String write(Object value) {
    try {
      return writer.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }

  /** A stored document read back, or null for null. */
  public <T> T read(String json, Class<T> type) {
    if (json == null) {
      return null;
    }
    try {
      return reader.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored " + type.getSimpleName() + " is not readable", e);
    }
  }

  /** A stored document read back, or null for null. */
  public <T> T read(String json, TypeReference<T> type) {
    if (json == null) {
      return null;
    }
    try {
      return reader.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored document is not readable", e);
    }
  }
}
