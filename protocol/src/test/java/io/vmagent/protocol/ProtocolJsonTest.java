package io.vmagent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolJsonTest {
  private final ObjectMapper strict = ProtocolJson.strictMapper();
  private final ObjectMapper tolerant = ProtocolJson.tolerantMapper();

  @Test
  void recordsRoundTripUnchanged() throws JsonProcessingException {
    for (Object message :
        List.of(
            ContractFixtures.register(),
            ContractFixtures.heartbeat(),
            ContractFixtures.command(),
            ContractFixtures.result(),
            ContractFixtures.failedResult(),
            ContractFixtures.metrics(),
            ContractFixtures.events(),
            ContractFixtures.agentStatus(),
            ContractFixtures.commandView())) {
      String json = strict.writeValueAsString(message);
      assertThat(strict.readValue(json, message.getClass())).as(json).isEqualTo(message);
    }
  }

  @Test
  void wireUsesSnakeCaseIsoInstantsAndLowerCaseEnums() throws JsonProcessingException {
    String json = strict.writeValueAsString(ContractFixtures.command());
    assertThat(json)
        .contains("\"lease_expires_at\":\"2026-11-25T16:01:00Z\"")
        .contains("\"params\":{\"vm\":\"web-1\"}");
    assertThat(strict.writeValueAsString(ContractFixtures.heartbeat()))
        .contains("\"status\":\"degraded\"")
        .doesNotContain("\"error\"");
  }

  @Test
  void strictMapperRejectsUnknownMembers() {
    assertThatExceptionOfType(JsonProcessingException.class)
        .isThrownBy(
            () -> strict.readValue("{\"refresh_token\":\"x\",\"extra\":1}", RefreshRequest.class))
        .withMessageContaining("extra");
  }

  @Test
  void tolerantMapperIgnoresUnknownMembers() throws JsonProcessingException {
    ResultAck ack =
        tolerant.readValue("{\"command_id\":\"c\",\"duplicate\":true,\"new\":1}", ResultAck.class);
    assertThat(ack).isEqualTo(new ResultAck("c", true));
  }

  @Test
  void strictMapperRejectsCoercedScalars() {
    assertThatExceptionOfType(JsonProcessingException.class)
        .isThrownBy(
            () -> strict.readValue("{\"accepted\":\"1\",\"duplicates\":0}", IngestAck.class));
    assertThatExceptionOfType(JsonProcessingException.class)
        .isThrownBy(() -> strict.readValue("{\"refresh_token\":5}", RefreshRequest.class));
    assertThatExceptionOfType(JsonProcessingException.class)
        .isThrownBy(
            () -> strict.readValue("{\"command_id\":\"c\",\"duplicate\":null}", ResultAck.class));
  }

  @Test
  void unknownEnumNamesAreRejectedWithTheAllowedValues() {
    assertThatExceptionOfType(JsonProcessingException.class)
        .isThrownBy(
            () ->
                strict.readValue(
                    "{\"command_id\":\"c\",\"status\":\"maybe\",\"started_at\":\"2026-11-25T16:00:00Z\"}",
                    CommandResult.class))
        .withMessageContaining("succeeded, failed");
  }

  @Test
  void duplicateKeysAndTrailingTokensAreRejected() {
    assertThatExceptionOfType(JsonProcessingException.class)
        .isThrownBy(
            () ->
                strict.readValue(
                    "{\"refresh_token\":\"a\",\"refresh_token\":\"b\"}", RefreshRequest.class));
    assertThatExceptionOfType(JsonProcessingException.class)
        .isThrownBy(() -> strict.readValue("{\"refresh_token\":\"a\"} {}", RefreshRequest.class));
  }

  @Test
  void secretsStayOutOfToString() {
    assertThat(new RefreshRequest("s3cret").toString()).doesNotContain("s3cret");
    assertThat(new TokenPair("tok-A1", null, "tok-R1", null).toString()).doesNotContain("tok-");
  }

  @Test
  void commandNamesItsVm() {
    assertThat(ContractFixtures.command().vm()).isEqualTo("web-1");
  }
}
