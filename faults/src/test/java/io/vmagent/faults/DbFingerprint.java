package io.vmagent.faults;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import javax.sql.DataSource;

/** A digest of every row of every backend table: equal digests mean nothing was changed. */
final class DbFingerprint {
  static final List<String> TABLES =
      List.of(
          "agents",
          "bootstrap_tokens",
          "token_families",
          "refresh_tokens",
          "signing_keys",
          "operator_tokens",
          "commands",
          "metrics_samples",
          "vm_events",
          "vms");

  private DbFingerprint() {}

  static String of(DataSource dataSource) throws SQLException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      for (String table : TABLES) {
        digest.update(("#" + table).getBytes(StandardCharsets.UTF_8));
        try (ResultSet rows = s.executeQuery("SELECT * FROM " + table + " ORDER BY 1, 2")) {
          int columns = rows.getMetaData().getColumnCount();
          while (rows.next()) {
            for (int i = 1; i <= columns; i++) {
              digest.update(String.valueOf(rows.getObject(i)).getBytes(StandardCharsets.UTF_8));
              digest.update((byte) 0);
            }
          }
        }
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static long count(DataSource dataSource, String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }
}
