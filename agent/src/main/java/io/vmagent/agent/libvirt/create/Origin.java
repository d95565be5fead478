package io.vmagent.agent.libvirt.create;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What the agent records in the metadata of a VM it defined or created: which operation, a digest
 * of what was asked (so the same request again changes nothing), whether creation finished, and the
 * storage volumes it made (so {@code delete} with {@code remove_storage} removes exactly those, and
 * a creation cut short by a crash can be cleaned up).
 *
 * @param operation {@code define} or {@code create}
 * @param digest SHA-256 of the request, hex
 * @param complete false while {@code create} is still making the VM's volumes
 * @param volumes the volumes the operation made (or, while incomplete, is making) as {@code
 *     pool/volume}
 */
public record Origin(String operation, String digest, boolean complete, List<String> volumes) {
  /** The XML namespace of the element; libvirt keeps one metadata element per namespace. */
  public static final String NAMESPACE = "https://vm-agent.io/xmlns/origin/1";

  private static final String ELEMENT = "origin";
  private static final String PREFIX = "vmagent";

  public Origin {
    Objects.requireNonNull(operation, "operation == null");
    Objects.requireNonNull(digest, "digest == null");
    volumes = List.copyOf(volumes);
  }

  /** The same origin, marked finished. */
  public Origin completed() {
    return new Origin(operation, digest, true, volumes);
  }

  /** The SHA-256 of {@code text}, hex. */
  public static String digestOf(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The origin recorded in a domain's XML, if the agent made it. */
  public static Optional<Origin> read(String domainXml) {
    Document document = SafeXml.parse(domainXml, "the domain XML libvirt returned");
    NodeList found = document.getElementsByTagNameNS(NAMESPACE, ELEMENT);
    if (found.getLength() == 0) {
      return Optional.empty();
    }
    Element origin = (Element) found.item(0);
    List<String> volumes = new ArrayList<>();
    NodeList children = origin.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      Node node = children.item(i);
      if (node instanceof Element volume && "volume".equals(volume.getLocalName())) {
        volumes.add(volume.getAttribute("pool") + "/" + volume.getAttribute("name"));
      }
    }
    return Optional.of(
        new Origin(
            origin.getAttribute("operation"),
            origin.getAttribute("digest"),
            !"false".equals(origin.getAttribute("complete")),
            volumes));
  }

  /**
   * Adds this origin to {@code domain}'s {@code <metadata>} (made when missing), replacing an
   * origin already there.
   */
  public void writeTo(Document document) {
    Element domain = document.getDocumentElement();
    Element metadata = null;
    NodeList children = domain.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element element && isLibvirt(element, "metadata")) {
        metadata = element;
      }
    }
    if (metadata == null) {
      metadata = document.createElementNS(domain.getNamespaceURI(), "metadata");
      domain.appendChild(metadata);
    }
    NodeList old = metadata.getElementsByTagNameNS(NAMESPACE, ELEMENT);
    for (int i = old.getLength() - 1; i >= 0; i--) {
      metadata.removeChild(old.item(i));
    }
    Element origin = document.createElementNS(NAMESPACE, PREFIX + ":" + ELEMENT);
    origin.setAttribute("operation", operation);
    origin.setAttribute("digest", digest);
    origin.setAttribute("complete", String.valueOf(complete));
    for (String poolAndName : volumes) {
      int slash = poolAndName.indexOf('/');
      Element volume = document.createElementNS(NAMESPACE, PREFIX + ":volume");
      volume.setAttribute("pool", poolAndName.substring(0, slash));
      volume.setAttribute("name", poolAndName.substring(slash + 1));
      origin.appendChild(volume);
    }
    metadata.appendChild(origin);
  }

  private static boolean isLibvirt(Element element, String name) {
    return element.getNamespaceURI() == null && name.equals(element.getLocalName());
  }
}
