package io.vmagent.agent.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.libvirt.VmOperationException;
import io.vmagent.protocol.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;

/**
 * The VM operations of the spec as {@link OperationSpec}s over the libvirt connection.
 *
 * <p>Interim: a direct, minimal mapping onto libvirt calls, used until the libvirt package's
 * operations (idempotent results with state before and after, per-VM serialization) are wired in
 * their place.
 */
public final class VmOperationSpecs {
  private VmOperationSpecs() {}

  /** Every VM operation over {@code libvirt}. */
  public static List<OperationSpec> create(LibvirtConnectionManager libvirt, Duration stopTimeout) {
    return List.of(
        OperationSpec.hostWide("list", Set.of(), p -> list(libvirt)),
        OperationSpec.onVm("info", Set.of("include_xml"), p -> info(libvirt, p)),
        OperationSpec.onVm("start", Set.of(), p -> change(libvirt, p, "start")),
        OperationSpec.onVm(
            "stop",
            Set.of("force", "timeout_seconds", "force_after_timeout"),
            p -> change(libvirt, p, "true".equals(p.get("force")) ? "destroy" : "shutdown")),
        OperationSpec.onVm(
            "restart",
            Set.of("force", "timeout_seconds", "force_after_timeout"),
            p -> change(libvirt, p, "reboot")),
        OperationSpec.onVm("pause", Set.of(), p -> change(libvirt, p, "suspend")),
        OperationSpec.onVm("resume", Set.of(), p -> change(libvirt, p, "resume")),
        OperationSpec.onVm("delete", Set.of("remove_storage"), p -> change(libvirt, p, "undefine")),
        OperationSpec.onVm(
            "snapshot", Set.of("action", "name", "description", "memory"), p -> snapshot(libvirt, p)),
        OperationSpec.hostWide("health_check", Set.of(), p -> health(libvirt)));
  }

  private static ObjectNode list(LibvirtConnectionManager libvirt) {
    return libvirt.withConnection(
        "list",
        connect -> {
          ObjectNode out = JsonNodeFactory.instance.objectNode();
          ArrayNode vms = out.putArray("vms");
          for (int id : connect.listDomains()) {
            vms.add(summary(connect.domainLookupByID(id)));
          }
          for (String name : connect.listDefinedDomains()) {
            vms.add(summary(connect.domainLookupByName(name)));
          }
          return out;
        });
  }

  private static ObjectNode info(LibvirtConnectionManager libvirt, Map<String, String> p) {
    return libvirt.withConnection(
        "info " + p.get("vm"),
        connect -> {
          Domain domain = lookup(connect, p.get("vm"));
          ObjectNode out = summary(domain);
          DomainInfo info = domain.getInfo();
          out.put("vcpus", info.nrVirtCpu);
          out.put("memory_max_kib", info.maxMem);
          out.put("memory_kib", info.memory);
          if ("true".equals(p.get("include_xml"))) {
            out.put("xml", domain.getXMLDesc(0));
          }
          return out;
        });
  }

  private static ObjectNode change(LibvirtConnectionManager libvirt, Map<String, String> p, String call) {
    return libvirt.withConnection(
        call + " " + p.get("vm"),
        connect -> {
          Domain domain = lookup(connect, p.get("vm"));
          String before = state(domain);
          switch (call) {
            case "start" -> {
              if (domain.isActive() == 0) {
                domain.create();
              }
            }
            case "shutdown" -> {
              if (domain.isActive() == 1) {
                domain.shutdown();
              }
            }
            case "destroy" -> {
              if (domain.isActive() == 1) {
                domain.destroy();
              }
            }
            case "reboot" -> domain.reboot(0);
            case "suspend" -> {
              if (domain.getInfo().state != DomainInfo.DomainState.VIR_DOMAIN_PAUSED) {
                domain.suspend();
              }
            }
            case "resume" -> {
              if (domain.getInfo().state == DomainInfo.DomainState.VIR_DOMAIN_PAUSED) {
                domain.resume();
              }
            }
            case "undefine" -> {
              if (domain.isActive() == 1) {
                domain.destroy();
              }
              domain.undefine();
              ObjectNode out = JsonNodeFactory.instance.objectNode();
              out.put("vm", p.get("vm"));
              out.put("state_before", before);
              out.put("state_after", "deleted");
              return out;
            }
            default -> throw new IllegalStateException(call);
          }
          ObjectNode out = JsonNodeFactory.instance.objectNode();
          out.put("vm", domain.getName());
          out.put("state_before", before);
          out.put("state_after", state(domain));
          return out;
        });
  }

  private static ObjectNode snapshot(LibvirtConnectionManager libvirt, Map<String, String> p) {
    String action = p.getOrDefault("action", "create");
    if (!action.equals("create") && !action.equals("list")) {
      throw new VmOperationException(
          ErrorCode.INVALID_ARGUMENT, "snapshot action must be create or list, got " + action);
    }
    return libvirt.withConnection(
        "snapshot " + p.get("vm"),
        connect -> {
          Domain domain = lookup(connect, p.get("vm"));
          ObjectNode out = JsonNodeFactory.instance.objectNode();
          out.put("vm", domain.getName());
          if (action.equals("create")) {
            String name = p.getOrDefault("name", "snap-" + System.currentTimeMillis());
            domain.snapshotCreateXML(
                "<domainsnapshot><name>" + xmlEscape(name) + "</name></domainsnapshot>", 0);
            out.put("created", name);
          }
          ArrayNode names = out.putArray("snapshots");
          for (String name : domain.snapshotListNames()) {
            names.add(name);
          }
          return out;
        });
  }

  private static ObjectNode health(LibvirtConnectionManager libvirt) {
    long start = System.nanoTime();
    return libvirt.withConnection(
        "health_check",
        connect -> {
          ObjectNode out = JsonNodeFactory.instance.objectNode();
          out.put("reachable", true);
          out.put("uri", connect.getURI());
          out.put("hypervisor", connect.getType());
          out.put("hostname", connect.getHostName());
          out.put("running", connect.numOfDomains());
          out.put("defined_inactive", connect.numOfDefinedDomains());
          out.put("latency_ms", (System.nanoTime() - start) / 1_000_000);
          return out;
        });
  }

  private static Domain lookup(Connect connect, String vm) throws LibvirtException {
    return connect.domainLookupByName(vm);
  }

  private static ObjectNode summary(Domain domain) throws LibvirtException {
    ObjectNode vm = JsonNodeFactory.instance.objectNode();
    vm.put("name", domain.getName());
    vm.put("uuid", domain.getUUIDString());
    vm.put("state", state(domain));
    return vm;
  }

  static String state(Domain domain) throws LibvirtException {
    String name = domain.getInfo().state.name();
    return name.startsWith("VIR_DOMAIN_")
        ? name.substring("VIR_DOMAIN_".length()).toLowerCase(java.util.Locale.ROOT)
        : "nostate";
  }

  private static String xmlEscape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
