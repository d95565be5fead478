package io.vmagent.agent.libvirt;

import io.vmagent.agent.libvirt.create.DomainPolicy;
import io.vmagent.agent.libvirt.create.HostPaths;
import io.vmagent.agent.libvirt.create.Origin;
import io.vmagent.agent.libvirt.create.SafeXml;
import io.vmagent.protocol.ErrorCode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Defines a VM from an operator's complete domain XML once it passed {@link DomainPolicy}: the same
 * XML again changes nothing; another VM with that name or UUID is {@code INVALID_STATE}.
 */
final class DefineOperation {
  /** The XML read and its name and UUID checked; nothing on the host was looked at yet. */
  record Prepared(Document document, String name, String uuid, String digest) {}

  /** A VM that is already there: its UUID, its XML and its state. */
  record Existing(String name, String uuid, String xml, VmState state) {
    static Existing of(Domain domain) throws LibvirtException {
      return new Existing(
          domain.getName(),
          domain.getUUIDString(),
          domain.getXMLDesc(0),
          NativeDomain.status(domain).state());
    }

    /** The answer to the same request again: this VM, nothing changed. */
    CreateResult unchanged(String operation, String message, long startedNanos) {
      return new CreateResult(
          operation,
          name,
          uuid,
          state,
          state,
          false,
          "none",
          message,
          millisSince(startedNanos),
          null);
    }

    /** The refusal of a request for another VM of this name. */
    VmOperationException nameTaken() {
      return new VmOperationException(
          ErrorCode.INVALID_STATE, "a VM named '" + name + "' already exists (UUID " + uuid + ")");
    }
  }

  private final LibvirtConnectionManager libvirt;
  private final List<Path> allowedPaths;

  DefineOperation(LibvirtConnectionManager libvirt, List<Path> allowedPaths) {
    this.libvirt = libvirt;
    this.allowedPaths = List.copyOf(allowedPaths);
  }

  /** Parses the XML and checks its name and UUID. */
  static Prepared prepare(CreateParams.Define params) {
    Document document = SafeXml.parse(params.xml(), "the domain XML");
    Element root = document.getDocumentElement();
    if (root.getNamespaceURI() != null || !"domain".equals(root.getLocalName())) {
      throw new VmOperationException(
          ErrorCode.INVALID_ARGUMENT, "the domain XML's root element must be <domain>");
    }
    String name = VmRef.validName("VM name", DomainXml.childText(root, "name"));
    String uuid = DomainXml.childText(root, "uuid");
    if (uuid != null && !VmRef.parse(uuid).isUuid()) {
      throw new VmOperationException(
          ErrorCode.INVALID_ARGUMENT, "the domain XML's <uuid> is not a canonical UUID");
    }
    return new Prepared(document, name, uuid, Origin.digestOf(params.xml()));
  }

  CreateResult define(Prepared prepared) {
    long started = System.nanoTime();
    String name = prepared.name();
    HostPaths host =
        libvirt.withConnection("read the storage pools", c -> PoolPaths.read(c, allowedPaths));
    List<String> refusals = DomainPolicy.check(prepared.document(), host);
    if (!refusals.isEmpty()) {
      throw new VmOperationException(
          ErrorCode.INVALID_ARGUMENT,
          "define VM '" + name + "' refused: " + String.join("; ", refusals));
    }
    Optional<Existing> existing =
        libvirt.withConnection("look up VM '" + name + "'", c -> existing(c, name));
    if (existing.isPresent()) {
      Existing vm = existing.get();
      Optional<Origin> origin = Origin.read(vm.xml());
      if (origin.isPresent() && origin.get().digest().equals(prepared.digest())) {
        return vm.unchanged("define", "already defined from the same XML", started);
      }
      throw vm.nameTaken();
    }
    if (prepared.uuid() != null) {
      Optional<Existing> sameUuid =
          libvirt.withConnection(
              "look up VM with UUID " + prepared.uuid(), c -> existingUuid(c, prepared.uuid()));
      if (sameUuid.isPresent()) {
        throw new VmOperationException(
            ErrorCode.INVALID_STATE,
            "VM '" + sameUuid.get().name() + "' already has UUID " + prepared.uuid());
      }
    }
    new Origin("define", prepared.digest(), true, List.of()).writeTo(prepared.document());
    String xml = SafeXml.write(prepared.document());
    Existing defined =
        libvirt.withConnection(
            "define VM '" + name + "'", c -> Existing.of(c.domainDefineXML(xml)));
    return new CreateResult(
        "define",
        defined.name(),
        defined.uuid(),
        VmState.UNDEFINED,
        defined.state(),
        true,
        "define",
        "defined",
        millisSince(started),
        null);
  }

  /** The VM named {@code name}, if there is one. */
  static Optional<Existing> existing(Connect connect, String name) throws LibvirtException {
    return lookUp(() -> connect.domainLookupByName(name));
  }

  private static Optional<Existing> existingUuid(Connect connect, String uuid)
      throws LibvirtException {
    return lookUp(() -> connect.domainLookupByUUIDString(uuid));
  }

  /** A lookup that may find nothing. */
  @FunctionalInterface
  private interface Lookup {
    Domain find() throws LibvirtException;
  }

  private static Optional<Existing> lookUp(Lookup lookup) throws LibvirtException {
    Domain domain;
    try {
      domain = lookup.find();
    } catch (LibvirtException e) {
      if (LibvirtErrors.codeOf(e) == ErrorCode.VM_NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
    return Optional.of(Existing.of(domain));
  }

  static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }
}
