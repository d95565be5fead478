package io.vmagent.agent.libvirt.create;

import io.vmagent.agent.operation.OperationFailure;
import io.vmagent.protocol.ErrorCode;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * XML parsed without DTDs or external entities (so a document can neither read a host file nor
 * reach the network), and written back as text.
 */
public final class SafeXml {
  private SafeXml() {}

  /**
   * Parses {@code xml}, namespace aware.
   *
   * @throws OperationFailure {@code INVALID_ARGUMENT} when it is not well-formed or declares a DTD
   */
  public static Document parse(String xml, String what) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
      factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      factory.setXIncludeAware(false);
      factory.setExpandEntityReferences(false);
      factory.setNamespaceAware(true);
      DocumentBuilder builder = factory.newDocumentBuilder();
      // The parser's default handler prints to stderr; the failure is reported through the result.
      builder.setErrorHandler(null);
      return builder.parse(new InputSource(new StringReader(xml)));
    } catch (SAXException | IOException e) {
      throw new OperationFailure(
          ErrorCode.INVALID_ARGUMENT,
          what + " is not well-formed XML (or declares a DTD): " + e.getMessage());
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser lacks a security feature", e);
    }
  }

  /** An empty document to build on. */
  public static Document newDocument() {
    try {
      return DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK has no XML document builder", e);
    }
  }

  /** The document as text, without the XML declaration. */
  public static String write(Document document) {
    try {
      TransformerFactory factory = TransformerFactory.newInstance();
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
      Transformer transformer = factory.newTransformer();
      transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
      StringWriter out = new StringWriter();
      transformer.transform(new DOMSource(document), new StreamResult(out));
      return out.toString();
    } catch (TransformerException e) {
      throw new IllegalStateException("cannot write an XML document: " + e.getMessage(), e);
    }
  }

  /** Appends a new element without a namespace (libvirt's) to {@code parent}. */
  static Element add(Element parent, String name) {
    Element child = parent.getOwnerDocument().createElementNS(null, name);
    parent.appendChild(child);
    return child;
  }

  /** Appends a new element holding {@code value} as its text. */
  static Element text(Element parent, String name, String value) {
    Element child = add(parent, name);
    child.setTextContent(value);
    return child;
  }
}
