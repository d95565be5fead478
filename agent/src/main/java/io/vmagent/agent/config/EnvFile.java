package io.vmagent.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An environment file in systemd's {@code EnvironmentFile=} syntax: {@code KEY=VALUE} lines,
 * comments starting with {@code #} or {@code ;}, blank lines, single or double quotes, a trailing
 * backslash continuing a line; an {@code export } prefix is tolerated so the same file can be
 * sourced by a shell.
 */
public final class EnvFile {
  private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final Path path;
  private final Map<String, String> values;
  private final List<ConfigProblem> problems;

  private EnvFile(Path path, Map<String, String> values, List<ConfigProblem> problems) {
    this.path = path;
    this.values = Collections.unmodifiableMap(values);
    this.problems = List.copyOf(problems);
  }

  /** Reads and parses the file; syntax errors become problems naming the line, never exceptions. */
  public static EnvFile read(Path path) throws IOException {
    return parse(path, Files.readString(path, StandardCharsets.UTF_8));
  }

  /** Parses text as if it were the content of {@code path}. */
  public static EnvFile parse(Path path, String text) {
    Map<String, String> values = new LinkedHashMap<>();
    List<ConfigProblem> problems = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNumber = i + 1;
      StringBuilder logical = new StringBuilder(lines[i]);
      // A trailing backslash joins the next physical line, as systemd does.
      while (endsWithContinuation(logical) && i + 1 < lines.length) {
        logical.setLength(logical.length() - 1);
        logical.append(lines[++i]);
      }
      String line = logical.toString().strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("export ") || line.startsWith("export\t")) {
        line = line.substring("export".length()).strip();
      }
      int eq = line.indexOf('=');
      String where = path + ":" + lineNumber;
      if (eq <= 0) {
        problems.add(
            new ConfigProblem(where, null, "expected KEY=VALUE, found '" + abbreviate(line) + "'"));
        continue;
      }
      String key = line.substring(0, eq).strip();
      if (!KEY.matcher(key).matches()) {
        problems.add(
            new ConfigProblem(
                where, null, "'" + abbreviate(key) + "' is not a valid variable name"));
        continue;
      }
      try {
        values.put(key, unquote(line.substring(eq + 1).strip()));
      } catch (IllegalArgumentException e) {
        problems.add(new ConfigProblem(where, null, key + ": " + e.getMessage()));
      }
    }
    return new EnvFile(path, values, problems);
  }

  private static boolean endsWithContinuation(CharSequence line) {
    return line.length() > 0 && line.charAt(line.length() - 1) == '\\';
  }

  private static String unquote(String raw) {
    if (raw.isEmpty()) {
      return raw;
    }
    char quote = raw.charAt(0);
    if (quote != '"' && quote != '\'') {
      return raw;
    }
    StringBuilder out = new StringBuilder();
    int i = 1;
    for (; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == quote) {
        break;
      }
      if (c == '\\' && quote == '"' && i + 1 < raw.length()) {
        char next = raw.charAt(++i);
        out.append(next == 'n' ? '\n' : next);
        continue;
      }
      out.append(c);
    }
    if (i >= raw.length()) {
      throw new IllegalArgumentException("unterminated " + quote + " quote");
    }
    if (!raw.substring(i + 1).isBlank()) {
      throw new IllegalArgumentException("unexpected text after the closing quote");
    }
    return out.toString();
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }

  public Path path() {
    return path;
  }

  /** The variables in file order. */
  public Map<String, String> values() {
    return values;
  }

  /** Lines that could not be parsed; their variables are absent from {@link #values()}. */
  public List<ConfigProblem> problems() {
    return problems;
  }
}
