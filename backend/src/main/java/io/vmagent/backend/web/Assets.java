package io.vmagent.backend.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard's files, read from the jar: its own pages under {@code /web/} and the chart
 * library's from its WebJar. Names are checked against a closed form, so no request reaches another
 * resource of the class path.
 */
final class Assets {
  /** A file of the dashboard: a plain name with one of the served extensions. */
  private static final Pattern OWN = Pattern.compile("[a-z][a-z0-9-]*\\.(html|js|css|svg)");

  private static final Pattern VENDOR = Pattern.compile("uPlot\\.(esm\\.js|min\\.css)");

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml");

  private final String uplotRoot;
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  Assets() {
    this.uplotRoot = "/META-INF/resources/webjars/uplot/" + webjarVersion("uplot") + "/dist/";
  }

  /** The media type of a file {@link #own} or {@link #uplot} answered, by its name's extension. */
  static String contentType(String name) {
    return TYPES.get(name.substring(name.lastIndexOf('.') + 1));
  }

  /** The dashboard's own file {@code name} (e.g. {@code app.js}), if there is one. */
  Optional<byte[]> own(String name) {
    return OWN.matcher(name).matches() ? load("/web/" + name) : Optional.empty();
  }

  /** The chart library's file {@code name}, if it is one the dashboard uses. */
  Optional<byte[]> uplot(String name) {
    return VENDOR.matcher(name).matches() ? load(uplotRoot + name) : Optional.empty();
  }

  // The bytes are written as they are and never changed.
  private Optional<byte[]> load(String resource) {
    byte[] cached = cache.get(resource);
    if (cached != null) {
      return Optional.of(cached);
    }
    try (InputStream in = Assets.class.getResourceAsStream(resource)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      cache.put(resource, bytes);
      return Optional.of(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource + " from the jar", e);
    }
  }

  /** The version of the WebJar {@code name} on the class path, from its Maven properties. */
  private static String webjarVersion(String name) {
    String resource = "/META-INF/maven/org.webjars.npm/" + name + "/pom.properties";
    try (InputStream in = Assets.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the WebJar " + name + " is missing from the class path");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
