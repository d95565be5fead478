package io.vmagent.protocol.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.protocol.ProtocolJson;
import org.junit.jupiter.api.Test;

class PrintableTest {
  static final String FORGED =
      "web\u001b]0;PWNED\u0007\u001b[31mRED\u001b[0m\rFAKE\nagent-Z  evil  online";

  @Test
  void terminalEscapesAndLineBreaksBecomeVisible() {
    assertThat(Printable.escape(FORGED))
        .isEqualTo("web\\e]0;PWNED\\x07\\e[31mRED\\e[0m\\rFAKE\\nagent-Z  evil  online");
  }

  @Test
  void everyControlCharacterIsEscaped() {
    assertThat(Printable.escape("a\u0000b")).isEqualTo("a\\0b");
    assertThat(Printable.escape("\t")).isEqualTo("\\t");
    assertThat(Printable.escape("\u007f\u0085\u009b")).isEqualTo("\\x7f\\x85\\x9b");
    for (char c = 0; c < 0x20; c++) {
      assertThat(Printable.escape(String.valueOf(c))).doesNotContain(String.valueOf(c));
    }
  }

  @Test
  void bidiOverridesAndSeparatorsAreEscaped() {
    assertThat(Printable.escape("\u202egpj.exe")).isEqualTo("\\u202egpj.exe");
    assertThat(Printable.escape("\u2066x\u2069\u2028")).isEqualTo("\\u2066x\\u2069\\u2028");
  }

  @Test
  void backslashIsDoubledSoEscapesAreUnambiguous() {
    assertThat(Printable.escape("a\\nb")).isEqualTo("a\\\\nb");
  }

  @Test
  void ordinaryTextIsReturnedAsItIs() {
    String text = "web-1 (Ωmega, 日本, \uD83D\uDE00) 10%";
    assertThat(Printable.escape(text)).isSameAs(text);
    assertThat(Printable.escape((String) null)).isNull();
    assertThat(Printable.escape("\uD800x")).isEqualTo("\\ud800x");
  }

  @Test
  void jsonEscapesKeepTheValueExactWithoutRawControls() throws Exception {
    ObjectMapper mapper = ProtocolJson.strictMapper();
    mapper.getFactory().setCharacterEscapes(Printable.jsonEscapes());
    String value = FORGED + "\u0000\u007f\u009b\u202e\uD83D\uDE00";
    String json = mapper.writeValueAsString(value);
    assertThat(json.codePoints().filter(Printable::unsafe)).isEmpty();
    assertThat(json).contains("\\u202E").contains("\\u007F").contains("\\u009B");
    assertThat(mapper.readValue(json, String.class)).isEqualTo(value);
    assertThat(mapper.readValue(mapper.writeValueAsBytes(value), String.class)).isEqualTo(value);
  }
}
