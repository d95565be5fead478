package io.vmagent.backend;

import io.vmagent.backend.client.TlsTrust;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLSocket;

/**
 * HTTPS requests from a chosen source address (the JDK's HTTP client cannot bind one), so a test
 * can be an attacker on 127.0.0.2 while the fleet is on 127.0.0.1.
 */
final class RawHttps {
  private final URI baseUrl;
  private final Path caPem;
  private final String sourceAddress;

  RawHttps(URI baseUrl, Path caPem, String sourceAddress) {
    this.baseUrl = baseUrl;
    this.caPem = caPem;
    this.sourceAddress = sourceAddress;
  }

  record Answer(int status, Map<String, String> headers, String body) {}

  Answer send(String method, String path, String bearer, String jsonBody) {
    try (Socket plain = new Socket()) {
      plain.bind(new InetSocketAddress(sourceAddress, 0));
      plain.connect(new InetSocketAddress(baseUrl.getHost(), baseUrl.getPort()), 10_000);
      plain.setSoTimeout(30_000);
      try (SSLSocket tls =
          (SSLSocket)
              TlsTrust.trusting(caPem)
                  .getSocketFactory()
                  .createSocket(plain, baseUrl.getHost(), baseUrl.getPort(), true)) {
        byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
        StringBuilder head =
            new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n")
                .append("Connection: close\r\n");
        if (bearer != null) {
          head.append("Authorization: Bearer ").append(bearer).append("\r\n");
        }
        if (jsonBody != null) {
          head.append("Content-Type: application/json\r\nContent-Length: ")
              .append(body.length)
              .append("\r\n");
        }
        head.append("\r\n");
        OutputStream out = tls.getOutputStream();
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return read(tls.getInputStream());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    String text = all.toString(StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    String[] lines = text.substring(0, end).split("\r\n", -1);
    int status = Integer.parseInt(lines[0].split(" ", -1)[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).strip());
    }
    return new Answer(status, headers, text.substring(end + 4));
  }
}
