package io.vmagent.agent.metrics;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * The JSON form of {@link MetricsSnapshot}: snake_case names, ISO-8601 instants, and unknown
 * figures as null. In the records an unknown {@code double} is NaN and an unknown {@code long} is
 * -1 (every {@code long} in a snapshot is a size or a counter, never negative); this mapper writes
 * both as null and reads null back as NaN and -1.
 */
public final class MetricsJson {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .addModule(new JavaTimeModule())
          .addModule(unknownAsNull())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  private MetricsJson() {}

  /** A mapper configured for snapshots; shared and thread-safe. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  private static SimpleModule unknownAsNull() {
    SimpleModule module = new SimpleModule("metrics-unknown-as-null");
    module.addSerializer(long.class, new NegativeLongAsNull());
    module.addSerializer(double.class, new NanAsNull());
    module.addDeserializer(long.class, new NumberDeserializers.LongDeserializer(Long.TYPE, -1L));
    module.addDeserializer(
        double.class, new NumberDeserializers.DoubleDeserializer(Double.TYPE, Double.NaN));
    return module;
  }

  private static final class NegativeLongAsNull extends StdSerializer<Long> {
    private static final long serialVersionUID = 1L;

    NegativeLongAsNull() {
      super(Long.class);
    }

    @Override
    public void serialize(Long value, JsonGenerator out, SerializerProvider provider)
        throws IOException {
      if (value < 0) {
        out.writeNull();
      } else {
        out.writeNumber(value);
      }
    }
  }

  private static final class NanAsNull extends StdSerializer<Double> {
    private static final long serialVersionUID = 1L;

    NanAsNull() {
      super(Double.class);
    }

    @Override
    public void serialize(Double value, JsonGenerator out, SerializerProvider provider)
        throws IOException {
      if (value.isNaN()) {
        out.writeNull();
      } else {
        out.writeNumber(value);
      }
    }
  }
}
