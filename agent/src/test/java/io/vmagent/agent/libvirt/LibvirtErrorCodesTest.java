package io.vmagent.agent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmagent.protocol.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** libvirt's own errors, produced by the test driver, and the stable codes they become. */
class LibvirtErrorCodesTest {
  private LibvirtConnectionManager libvirt;

  @BeforeEach
  void openHost() {
    libvirt = TestHost.connect();
  }

  @AfterEach
  void closeHost() {
    libvirt.close();
  }

  private void assertCode(ConnectFunction<?> call, ErrorCode code, String libvirtMessagePart) {
    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> libvirt.withConnection("probe", call))
        .satisfies(e -> assertThat(e.code()).isEqualTo(code))
        .withMessageStartingWith("probe: ")
        .withMessageContaining(libvirtMessagePart);
    assertThat(libvirt.state()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void anUnknownDomainIsVmNotFound() {
    assertCode(
        c -> c.domainLookupByUUIDString("12345678-1234-4234-8234-123456789abc"),
        ErrorCode.VM_NOT_FOUND,
        "Domain not found");
  }

  @Test
  void anOperationTheStateForbidsIsInvalidState() {
    assertCode(
        c -> {
          c.domainLookupByName("db-01").reboot(0);
          return null;
        },
        ErrorCode.INVALID_STATE,
        "domain is not running");
  }

  @Test
  void malformedXmlIsInvalidArgument() {
    assertCode(
        c -> c.domainDefineXML("<domain type='test'><name>x"),
        ErrorCode.INVALID_ARGUMENT,
        "Premature end of data");
  }

  @Test
  void anUnknownSnapshotIsInvalidArgument() {
    assertCode(
        c -> c.domainLookupByName("web-01").snapshotLookupByName("nope"),
        ErrorCode.INVALID_ARGUMENT,
        "nope");
  }

  @Test
  void aFunctionTheDriverLacksIsUnsupported() {
    assertCode(c -> c.setKeepAlive(5, 3), ErrorCode.UNSUPPORTED, "not supported");
  }

  @Test
  void anyOtherDriverFailureIsOperationFailed() {
    // The test driver reports shutting down a shut-off domain as an internal error.
    assertCode(
        c -> {
          c.domainLookupByName("db-01").shutdown();
          return null;
        },
        ErrorCode.OPERATION_FAILED,
        "not running");
  }
}
