package io.vmagent.agent.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds the one {@link AgentConfig} from, highest precedence first, command-line options, the
 * process environment, the env file and the defaults; reports every problem at once.
 */
public final class ConfigLoader {
  /** Bounds of the duration keys, in seconds; documented in the README. */
  static final long HEARTBEAT_MIN = 5, HEARTBEAT_MAX = 3_600;

  static final long METRICS_MIN = 5, METRICS_MAX = 86_400;
  static final long API_TIMEOUT_MIN = 1, API_TIMEOUT_MAX = 300;
  static final long UPDATE_CHECK_MIN = 60, UPDATE_CHECK_MAX = 604_800;
  static final long STOP_TIMEOUT_MIN = 1, STOP_TIMEOUT_MAX = 3_600;
  static final long LIBVIRT_TIMEOUT_MIN = 1, LIBVIRT_TIMEOUT_MAX = 600;
  static final long SHUTDOWN_TIMEOUT_MIN = 1, SHUTDOWN_TIMEOUT_MAX = 300;
  static final long CLOCK_OFFSET_MIN = 1, CLOCK_OFFSET_MAX = 86_400;
  static final int RETRY_ATTEMPTS_MIN = 1, RETRY_ATTEMPTS_MAX = 20;
  static final double RETRY_BACKOFF_MIN = 1.0, RETRY_BACKOFF_MAX = 10.0;
  static final long SPOOL_MB_MIN = 1, SPOOL_MB_MAX = 10_240;
  static final double PERCENT_MIN = 0, PERCENT_MAX = 100;
  static final double LOAD_PER_CORE_MIN = 0, LOAD_PER_CORE_MAX = 1_000;

  private final Map<String, String> commandLine;
  private final Map<String, String> environment;
  private boolean requireBackend = true;
  private boolean persistAgentId = false;

  /**
   * @param commandLine values given as command-line options, by key name
   * @param environment the process environment (only {@code AGENT_*} entries are looked at)
   */
  public ConfigLoader(Map<String, String> commandLine, Map<String, String> environment) {
    this.commandLine = Map.copyOf(commandLine);
    this.environment = Map.copyOf(environment);
  }

  /** Whether a missing AGENT_BACKEND_URL is an error; true by default (the daemon needs it). */
  public ConfigLoader requireBackend(boolean require) {
    this.requireBackend = require;
    return this;
  }

  /** Whether a generated AGENT_ID is written to the state directory; false by default. */
  public ConfigLoader persistAgentId(boolean persist) {
    this.persistAgentId = persist;
    return this;
  }

  /** Loads and validates; throws with every problem found. */
  private static final ConfigProblem BACKEND_URL_MISSING =
      new ConfigProblem(
          "AGENT_BACKEND_URL",
          null,
          "is required: the URL of the backend, e.g. https://backend.example.com");

  private void checkCommandLineKeys(List<ConfigProblem> problems) {
    for (String name : commandLine.keySet()) {
      if (ConfigKey.byName(name).isEmpty()) {
        problems.add(new ConfigProblem(name, null, "unknown key" + suggestion(name)));
      }
    }
  }

  public AgentConfig load() throws ConfigException {
    List<ConfigProblem> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Map<ConfigKey, AgentConfig.Origin> origins = new EnumMap<>(ConfigKey.class);

    checkCommandLineKeys(problems);
    AgentConfig.Origin fileOrigin = pick(ConfigKey.AGENT_CONFIG_FILE, Map.of());
    Path configFile = toPath(fileOrigin.value());
    Map<String, String> fileValues = Map.of();
    if (configFile == null) {
      problems.add(
          new ConfigProblem("AGENT_CONFIG_FILE", fileOrigin.value(), "is not a valid path"));
    } else {
      fileValues = readEnvFile(configFile, fileOrigin.source(), problems);
    }
    warnUnknown(environment, "environment", warnings);
    warnUnknown(fileValues, String.valueOf(configFile), warnings);

    for (ConfigKey key : ConfigKey.values()) {
      origins.put(key, pick(key, fileValues));
    }
    Draft d = new Draft(origins, problems, warnings);
    d.configFile = configFile;
    d.parseAll();
    if (fileValues.containsKey(ConfigKey.AGENT_TOKEN.name())) {
      requireNotWorldReadable(
          configFile, ConfigKey.AGENT_CONFIG_FILE, "it holds AGENT_TOKEN", problems);
    }
    if (requireBackend
        && d.backendUrl == null
        && origins.get(ConfigKey.AGENT_BACKEND_URL).value() == null) {
      problems.add(BACKEND_URL_MISSING);
    }
    if (problems.isEmpty() && d.agentId == null) {
      resolveAgentId(d, problems);
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems, warnings);
    }
    return new AgentConfig(d);
  }

  /** The absolute path, or null when the text cannot be a path (for example it holds NUL). */
  static Path toPath(String text) {
    try {
      return Path.of(text).toAbsolutePath();
    } catch (java.nio.file.InvalidPathException e) {
      return null;
    }
  }

  private AgentConfig.Origin pick(ConfigKey key, Map<String, String> fileValues) {
    String name = key.name();
    if (isSet(commandLine.get(name))) {
      return new AgentConfig.Origin(commandLine.get(name).strip(), ConfigSource.COMMAND_LINE);
    }
    if (isSet(environment.get(name))) {
      return new AgentConfig.Origin(environment.get(name).strip(), ConfigSource.ENVIRONMENT);
    }
    if (isSet(fileValues.get(name))) {
      return new AgentConfig.Origin(fileValues.get(name).strip(), ConfigSource.ENV_FILE);
    }
    if (key == ConfigKey.AGENT_NAME) {
      return new AgentConfig.Origin(HostName.local(), ConfigSource.DEFAULT);
    }
    return new AgentConfig.Origin(key.defaultValue().orElse(null), ConfigSource.DEFAULT);
  }

  // An empty value (KEY= in the env file) means "not set here", so the next source applies.
  private static boolean isSet(String value) {
    return value != null && !value.isBlank();
  }

  private static Map<String, String> readEnvFile(
      Path path, ConfigSource source, List<ConfigProblem> problems) {
    if (!Files.exists(path)) {
      if (source != ConfigSource.DEFAULT) {
        problems.add(
            new ConfigProblem("AGENT_CONFIG_FILE", path.toString(), "file does not exist"));
      }
      return Map.of();
    }
    try {
      EnvFile file = EnvFile.read(path);
      problems.addAll(file.problems());
      return file.values();
    } catch (IOException e) {
      problems.add(
          new ConfigProblem(
              "AGENT_CONFIG_FILE", path.toString(), "cannot be read: " + e.getMessage()));
      return Map.of();
    }
  }

  private static void warnUnknown(Map<String, String> values, String where, List<String> warnings) {
    for (String name : values.keySet()) {
      if (name.startsWith("AGENT_") && ConfigKey.byName(name).isEmpty()) {
        warnings.add("unknown key " + name + " in " + where + " is ignored" + suggestion(name));
      }
    }
  }

  static String suggestion(String name) {
    ConfigKey best = null;
    int bestDistance = Integer.MAX_VALUE;
    String upper = name.toUpperCase(Locale.ROOT);
    for (ConfigKey key : ConfigKey.values()) {
      // A key typed short (AGENT_HEARTBEAT) is as likely a slip as a misspelling.
      int distance = key.name().startsWith(upper) ? 1 : levenshtein(upper, key.name());
      if (distance < bestDistance) {
        best = key;
        bestDistance = distance;
      }
    }
    return best != null && bestDistance <= Math.max(3, name.length() / 3)
        ? "; did you mean " + best.name() + "?"
        : "";
  }

  private static int levenshtein(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static void requireNotWorldReadable(
      Path path, ConfigKey key, String why, List<ConfigProblem> problems) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
      if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
        problems.add(
            new ConfigProblem(
                key.name(),
                path.toString(),
                "is readable by every user but " + why + "; run: chmod o-rwx " + path));
      }
    } catch (UnsupportedOperationException | IOException e) {
      problems.add(
          new ConfigProblem(
              key.name(), path.toString(), "permissions cannot be read: " + e.getMessage()));
    }
  }

  private void resolveAgentId(Draft d, List<ConfigProblem> problems) {
    AgentIdStore store = new AgentIdStore(d.stateDir);
    try {
      var stored = store.read();
      if (stored.isPresent()) {
        d.agentId = stored.get();
        d.origins.put(
            ConfigKey.AGENT_ID, new AgentConfig.Origin(d.agentId, ConfigSource.STATE_DIR));
      } else if (persistAgentId) {
        d.agentId = store.create();
        d.origins.put(
            ConfigKey.AGENT_ID, new AgentConfig.Origin(d.agentId, ConfigSource.GENERATED));
      }
    } catch (IOException | IllegalStateException e) {
      problems.add(
          new ConfigProblem(
              "AGENT_ID",
              null,
              "cannot be read or kept in " + store.file() + ": " + e.getMessage()));
    }
  }

  /** The values being parsed; handed to {@link AgentConfig}'s constructor once valid. */
  static final class Draft {
    final Map<ConfigKey, AgentConfig.Origin> origins;
    private final List<ConfigProblem> problems;
    final List<String> warnings;

    URI backendUrl;
    String libvirtUri;
    String agentId;
    String agentName;
    Secret token;
    boolean sslVerify;
    Path sslCertPath;
    Path sslKeyPath;
    Path sslCaPath;
    Duration metricsInterval;
    Duration heartbeatInterval;
    Duration apiTimeout;
    int retryAttempts;
    double retryBackoff;
    LogLevel logLevel;
    Path logFile;
    LogFormat logFormat;
    boolean autoRegister;
    Duration updateCheckInterval;
    Path stateDir;
    Path configFile;
    boolean allowInsecureHttp;
    Duration stopTimeout;
    Duration libvirtTimeout;
    Duration shutdownTimeout;
    Duration clockOffsetMax;
    long metricsSpoolMaxBytes;
    InetSocketAddress prometheusListen;
    ResourceThresholds resourceThresholds;
    List<Path> defineAllowedPaths = List.of();
    String migrationUri;
    String migrationStreamUri;

    Draft(
        Map<ConfigKey, AgentConfig.Origin> origins,
        List<ConfigProblem> problems,
        List<String> warnings) {
      this.origins = origins;
      this.problems = problems;
      this.warnings = warnings;
    }

    private String raw(ConfigKey key) {
      return origins.get(key).value();
    }

    private void problem(ConfigKey key, String expected) {
      String value = raw(key);
      problems.add(
          new ConfigProblem(
              key.name(), value == null ? null : key.secret() ? Secret.MASK : value, expected));
    }

    private void parseTimings() {
      metricsInterval = seconds(ConfigKey.AGENT_METRICS_INTERVAL, METRICS_MIN, METRICS_MAX);
      heartbeatInterval = seconds(ConfigKey.AGENT_HEARTBEAT_INTERVAL, HEARTBEAT_MIN, HEARTBEAT_MAX);
      apiTimeout = seconds(ConfigKey.AGENT_API_TIMEOUT, API_TIMEOUT_MIN, API_TIMEOUT_MAX);
      updateCheckInterval =
          seconds(ConfigKey.AGENT_UPDATE_CHECK_INTERVAL, UPDATE_CHECK_MIN, UPDATE_CHECK_MAX);
      stopTimeout = seconds(ConfigKey.AGENT_STOP_TIMEOUT, STOP_TIMEOUT_MIN, STOP_TIMEOUT_MAX);
      libvirtTimeout =
          seconds(ConfigKey.AGENT_LIBVIRT_TIMEOUT, LIBVIRT_TIMEOUT_MIN, LIBVIRT_TIMEOUT_MAX);
      shutdownTimeout =
          seconds(ConfigKey.AGENT_SHUTDOWN_TIMEOUT, SHUTDOWN_TIMEOUT_MIN, SHUTDOWN_TIMEOUT_MAX);
      clockOffsetMax =
          seconds(ConfigKey.AGENT_CLOCK_OFFSET_MAX, CLOCK_OFFSET_MIN, CLOCK_OFFSET_MAX);
      retryAttempts =
          (int) integer(ConfigKey.AGENT_RETRY_ATTEMPTS, RETRY_ATTEMPTS_MIN, RETRY_ATTEMPTS_MAX);
      retryBackoff = decimal(ConfigKey.AGENT_RETRY_BACKOFF, RETRY_BACKOFF_MIN, RETRY_BACKOFF_MAX);
      metricsSpoolMaxBytes =
          integer(ConfigKey.AGENT_METRICS_SPOOL_MAX_MB, SPOOL_MB_MIN, SPOOL_MB_MAX) * 1024 * 1024;
    }

    private void parseLogging() {
      logLevel =
          enumValue(
              ConfigKey.AGENT_LOG_LEVEL,
              LogLevel::parse,
              LogLevel.INFO,
              "one of DEBUG, INFO, WARNING, ERROR, CRITICAL");
      logFormat =
          enumValue(
              ConfigKey.AGENT_LOG_FORMAT,
              ConfigLoader::parseLogFormat,
              LogFormat.TEXT,
              "text or json");
    }

    void parseAll() {
      allowInsecureHttp = bool(ConfigKey.AGENT_ALLOW_INSECURE_HTTP);
      backendUrl = parseBackendUrl();
      libvirtUri = parseLibvirtUri();
      agentId = parseAgentId();
      agentName = parseName();
      token = raw(ConfigKey.AGENT_TOKEN) == null ? null : Secret.of(raw(ConfigKey.AGENT_TOKEN));
      sslVerify = bool(ConfigKey.AGENT_SSL_VERIFY);
      sslCertPath = readableFile(ConfigKey.AGENT_SSL_CERT_PATH);
      sslKeyPath = readableFile(ConfigKey.AGENT_SSL_KEY_PATH);
      sslCaPath = readableFile(ConfigKey.AGENT_SSL_CA_PATH);
      checkClientCertificatePair();
      parseTimings();
      parseLogging();
      logFile = raw(ConfigKey.AGENT_LOG_FILE) == null ? null : path(ConfigKey.AGENT_LOG_FILE);
      autoRegister = bool(ConfigKey.AGENT_AUTO_REGISTER);
      stateDir = path(ConfigKey.AGENT_STATE_DIR);
      prometheusListen = parseListen();
      resourceThresholds = parseThresholds();
      defineAllowedPaths = parseAllowedPaths();
      migrationUri = parseMigrationUri(ConfigKey.AGENT_MIGRATION_URI, "qemu+tls://host-b/system");
      migrationStreamUri =
          parseMigrationUri(ConfigKey.AGENT_MIGRATION_STREAM_URI, "tcp://host-b:49152");
      if (!sslVerify) {
        warnings.add(
            "AGENT_SSL_VERIFY=false: the backend's certificate is not verified; anyone on the path"
                + " can impersonate it");
      }
    }

    private ResourceThresholds parseThresholds() {
      return new ResourceThresholds(
          decimal(ConfigKey.AGENT_HEALTH_DISK_FREE_PERCENT, PERCENT_MIN, PERCENT_MAX),
          decimal(ConfigKey.AGENT_HEALTH_INODES_FREE_PERCENT, PERCENT_MIN, PERCENT_MAX),
          decimal(ConfigKey.AGENT_HEALTH_MEMORY_AVAILABLE_PERCENT, PERCENT_MIN, PERCENT_MAX),
          decimal(ConfigKey.AGENT_HEALTH_SWAP_USED_PERCENT, PERCENT_MIN, PERCENT_MAX),
          decimal(ConfigKey.AGENT_HEALTH_LOAD_PER_CORE, LOAD_PER_CORE_MIN, LOAD_PER_CORE_MAX));
    }

    private URI parseBackendUrl() {
      String value = raw(ConfigKey.AGENT_BACKEND_URL);
      if (value == null) {
        return null;
      }
      URI uri;
      try {
        uri = new URI(value);
      } catch (URISyntaxException e) {
        problem(ConfigKey.AGENT_BACKEND_URL, "is not a valid URL: " + e.getReason());
        return null;
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
        problem(ConfigKey.AGENT_BACKEND_URL, "expected https://host[:port][/path]");
        return null;
      }
      if (uri.getUserInfo() != null) {
        problems.add(
            new ConfigProblem(
                ConfigKey.AGENT_BACKEND_URL.name(),
                Secret.MASK,
                "must not carry credentials; use AGENT_TOKEN"));
        return null;
      }
      if (uri.getQuery() != null || uri.getFragment() != null) {
        problem(ConfigKey.AGENT_BACKEND_URL, "must not have a query or fragment");
        return null;
      }
      if (scheme.equals("http")) {
        if (!allowInsecureHttp) {
          problem(
              ConfigKey.AGENT_BACKEND_URL,
              "must use https://; plain http:// is allowed only with"
                  + " AGENT_ALLOW_INSECURE_HTTP=true");
          return null;
        }
        warnings.add(
            "AGENT_BACKEND_URL uses plain http: tokens and commands travel unencrypted"
                + " (AGENT_ALLOW_INSECURE_HTTP=true)");
      }
      return uri;
    }

    private String parseLibvirtUri() {
      String value = raw(ConfigKey.AGENT_LIBVIRT_URI);
      try {
        URI uri = new URI(value);
        if (uri.getScheme() == null) {
          problem(
              ConfigKey.AGENT_LIBVIRT_URI,
              "expected a libvirt URI such as qemu:///system or test:///default");
        }
      } catch (URISyntaxException e) {
        problem(ConfigKey.AGENT_LIBVIRT_URI, "is not a valid URI: " + e.getReason());
      }
      return value;
    }

    private String parseAgentId() {
      String value = raw(ConfigKey.AGENT_ID);
      if (value == null || value.equals("auto-generated")) {
        return null;
      }
      if (!AgentIdStore.isValid(value)) {
        problem(ConfigKey.AGENT_ID, "expected 1-64 letters, digits, '.', '_' or '-'");
        return null;
      }
      return value;
    }

    private String parseName() {
      String value = raw(ConfigKey.AGENT_NAME);
      if (value.length() > 128 || value.chars().anyMatch(Character::isISOControl)) {
        problem(ConfigKey.AGENT_NAME, "expected at most 128 printable characters");
      }
      return value;
    }

    private Path readableFile(ConfigKey key) {
      String value = raw(key);
      if (value == null) {
        return null;
      }
      Path path = path(key);
      if (path == null) {
        return null;
      }
      if (!Files.isRegularFile(path)) {
        problem(key, "file does not exist");
      } else if (!Files.isReadable(path)) {
        problem(key, "file is not readable by this user");
      }
      return path;
    }

    private Path path(ConfigKey key) {
      Path path = toPath(raw(key));
      if (path == null) {
        problem(key, "is not a valid path");
      }
      return path;
    }

    private void checkClientCertificatePair() {
      if (sslCertPath != null && raw(ConfigKey.AGENT_SSL_KEY_PATH) == null) {
        problem(
            ConfigKey.AGENT_SSL_KEY_PATH,
            "is required when AGENT_SSL_CERT_PATH is set (mutual TLS needs both)");
      }
      if (sslKeyPath != null && raw(ConfigKey.AGENT_SSL_CERT_PATH) == null) {
        problem(
            ConfigKey.AGENT_SSL_CERT_PATH,
            "is required when AGENT_SSL_KEY_PATH is set (mutual TLS needs both)");
      }
      if (sslKeyPath != null && Files.isRegularFile(sslKeyPath)) {
        requireNotWorldReadable(
            sslKeyPath, ConfigKey.AGENT_SSL_KEY_PATH, "it is a private key", problems);
      }
    }

    private boolean bool(ConfigKey key) {
      String value = raw(key).strip().toLowerCase(Locale.ROOT);
      return switch (value) {
        case "true", "yes", "on", "1" -> true;
        case "false", "no", "off", "0" -> false;
        default -> {
          problem(key, "expected true or false");
          yield Boolean.parseBoolean(key.defaultValue().orElse("false"));
        }
      };
    }

    private long integer(ConfigKey key, long min, long max) {
      long fallback = Long.parseLong(key.defaultValue().orElseThrow());
      long value;
      try {
        value = Long.parseLong(raw(key).strip());
      } catch (NumberFormatException e) {
        problem(key, "expected a whole number between " + min + " and " + max);
        return fallback;
      }
      if (value < min || value > max) {
        problem(key, "expected a whole number between " + min + " and " + max);
        return fallback;
      }
      return value;
    }

    private Duration seconds(ConfigKey key, long min, long max) {
      String value = raw(key).strip();
      long parsed;
      try {
        parsed = Long.parseLong(value);
      } catch (NumberFormatException e) {
        problem(key, "expected a whole number of seconds between " + min + " and " + max);
        return Duration.ofSeconds(Long.parseLong(key.defaultValue().orElseThrow()));
      }
      if (parsed < min || parsed > max) {
        problem(
            key,
            (parsed <= 0 ? "must be positive; " : "out of bounds; ")
                + "expected seconds between "
                + min
                + " and "
                + max);
        return Duration.ofSeconds(Long.parseLong(key.defaultValue().orElseThrow()));
      }
      return Duration.ofSeconds(parsed);
    }

    private double decimal(ConfigKey key, double min, double max) {
      try {
        double value = Double.parseDouble(raw(key).strip());
        if (Double.isFinite(value) && value >= min && value <= max) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below with the expected range
      }
      problem(key, "expected a number between " + min + " and " + max);
      return Double.parseDouble(key.defaultValue().orElseThrow());
    }

    private <E> E enumValue(
        ConfigKey key,
        Function<String, java.util.Optional<E>> parser,
        E fallback,
        String expected) {
      return parser
          .apply(raw(key))
          .orElseGet(
              () -> {
                problem(key, "expected " + expected);
                return fallback;
              });
    }

    /** Absolute, normal directories separated by colons; {@code /} alone would allow everything. */
    private List<Path> parseAllowedPaths() {
      String value = raw(ConfigKey.AGENT_DEFINE_ALLOWED_PATHS);
      if (value == null || value.isBlank()) {
        return List.of();
      }
      List<Path> paths = new ArrayList<>();
      for (String entry : value.split(":", -1)) {
        Path path = entry.startsWith("/") ? toPath(entry) : null;
        if (path == null || !path.normalize().equals(path) || path.getNameCount() == 0) {
          problem(
              ConfigKey.AGENT_DEFINE_ALLOWED_PATHS,
              "expected absolute directories without . or .. (not /), separated by colons");
          return List.of();
        }
        paths.add(path);
      }
      return paths;
    }

    /** A URI with a scheme and an authority or path, printable ASCII; empty means unset. */
    private String parseMigrationUri(ConfigKey key, String example) {
      String value = raw(key);
      if (value == null || value.isBlank()) {
        return null;
      }
      try {
        URI uri = new URI(value);
        if (uri.getScheme() != null && value.contains("://") && value.length() <= 1024) {
          return value;
        }
      } catch (URISyntaxException e) {
        // reported below with the expected form
      }
      problem(key, "expected a URI such as " + example);
      return null;
    }

    private InetSocketAddress parseListen() {
      String value = raw(ConfigKey.AGENT_PROMETHEUS_LISTEN);
      if (value == null || value.isBlank()) {
        return null;
      }
      String host = "127.0.0.1";
      String port = value;
      int colon = value.lastIndexOf(':');
      if (colon >= 0) {
        host = value.substring(0, colon);
        port = value.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
      }
      int portNumber;
      try {
        portNumber = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        portNumber = -1;
      }
      if (portNumber < 1 || portNumber > 65_535 || host.isBlank()) {
        problem(
            ConfigKey.AGENT_PROMETHEUS_LISTEN,
            "expected host:port (for example 127.0.0.1:9177) or empty for off");
        return null;
      }
      InetSocketAddress address = InetSocketAddress.createUnresolved(host, portNumber);
      if (!(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1"))) {
        warnings.add(
            "AGENT_PROMETHEUS_LISTEN=" + value + " exposes host and VM metrics beyond this host");
      }
      return address;
    }
  }

  private static java.util.Optional<LogFormat> parseLogFormat(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "text" -> java.util.Optional.of(LogFormat.TEXT);
      case "json" -> java.util.Optional.of(LogFormat.JSON);
      default -> java.util.Optional.empty();
    };
  }
}
