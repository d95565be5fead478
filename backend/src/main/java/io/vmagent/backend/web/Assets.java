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

  /** One file: its bytes and media type. */
  static final class Asset {
    private final String contentType;
    private final byte[] bytes;

    Asset(String contentType, byte[] bytes) {
      this.contentType = contentType;
      this.bytes = bytes;
    }

    String contentType() {
      return contentType;
    }

    /** The file's bytes; written as they are, never changed. */
    byte[] bytes() {
      return bytes;
    }
  }

  private final String uplotRoot;
  private final Map<String, Asset> cache = new ConcurrentHashMap<>();

  Assets() {
    this.uplotRoot = "/META-INF/resources/webjars/uplot/" + webjarVersion("uplot") + "/dist/";
  }

  /** The dashboard's own file {@code name} (e.g. {@code app.js}), if there is one. */
  Optional<Asset> own(String name) {
    return OWN.matcher(name).matches() ? load("/web/" + name) : Optional.empty();
  }

  /** The chart library's file {@code name}, if it is one the dashboard uses. */
  Optional<Asset> uplot(String name) {
    return VENDOR.matcher(name).matches() ? load(uplotRoot + name) : Optional.empty();
  }

  private Optional<Asset> load(String resource) {
    Asset cached = cache.get(resource);
    if (cached != null) {
      return Optional.of(cached);
    }
    try (InputStream in = Assets.class.getResourceAsStream(resource)) {
      if (in == null) {
        return Optional.empty();
      }
      String extension = resource.substring(resource.lastIndexOf('.') + 1);
      Asset asset = new Asset(TYPES.get(extension), in.readAllBytes());
      cache.put(resource, asset);
      return Optional.of(asset);
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
