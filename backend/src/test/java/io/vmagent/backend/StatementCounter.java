package io.vmagent.backend;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Counts the JDBC statements the backend executes and the transactions it commits, on every thread
 * but its periodic background ones: a test-only driver registered ahead of the real H2 and
 * PostgreSQL drivers, wrapping their connections and statements (a wrapper, because neither
 * database counts its statements per client on its own).
 */
final class StatementCounter implements Driver {
  private static final StatementCounter INSTANCE = new StatementCounter();
  private static final Set<String> EXECUTES =
      Set.of("execute", "executeQuery", "executeUpdate", "executeLargeUpdate", "executeBatch");
  private static final List<String> BACKGROUND =
      List.of(
          "vm-backend-offline-watch",
          "vm-backend-retention",
          "vm-backend-db-clock",
          "vm-backend-throttle-sweeper",
          "vm-backend-command-expiry",
          "migrations");

  private final AtomicLong statements = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();
  private final ThreadLocal<Boolean> delegating = ThreadLocal.withInitial(() -> false);

  /** What was counted up to a moment. */
  record Count(long statements, long transactions) {
    Count minus(Count earlier) {
      return new Count(statements - earlier.statements, transactions - earlier.transactions);
    }
  }

  private StatementCounter() {}

  /** Puts the counter in front of the real drivers; connections opened from now on are counted. */
  static synchronized StatementCounter install() throws SQLException {
    List<Driver> real = Collections.list(DriverManager.getDrivers());
    if (real.contains(INSTANCE)) {
      return INSTANCE;
    }
    for (Driver driver : real) {
      DriverManager.deregisterDriver(driver);
    }
    DriverManager.registerDriver(INSTANCE);
    for (Driver driver : real) {
      DriverManager.registerDriver(driver);
    }
    return INSTANCE;
  }

  /** Takes the counter away again; connections it opened stay counted until closed. */
  static synchronized void uninstall() throws SQLException {
    DriverManager.deregisterDriver(INSTANCE);
  }

  Count now() {
    return new Count(statements.get(), commits.get());
  }

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url) || delegating.get()) {
      return null;
    }
    delegating.set(true);
    Connection real;
    try {
      real = DriverManager.getConnection(url, info);
    } finally {
      delegating.set(false);
    }
    return wrap(Connection.class, real);
  }

  private <T> T wrap(Class<T> type, Object real) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          count(method);
          try {
            Object result = method.invoke(real, args);
            if (result instanceof Statement
                && Statement.class.isAssignableFrom(method.getReturnType())) {
              return wrap(method.getReturnType(), result);
            }
            return result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return type.cast(
        Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, handler));
  }

  private void count(Method method) {
    String name = Thread.currentThread().getName();
    if (BACKGROUND.stream().anyMatch(name::startsWith)) {
      return;
    }
    if (Statement.class.isAssignableFrom(method.getDeclaringClass())
        && EXECUTES.contains(method.getName())) {
      statements.incrementAndGet();
    } else if (method.getDeclaringClass() == Connection.class
        && method.getName().equals("commit")) {
      commits.incrementAndGet();
    }
  }

  @Override
  public boolean acceptsURL(String url) {
    return url.startsWith("jdbc:h2:") || url.startsWith("jdbc:postgresql:");
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
    return new DriverPropertyInfo[0];
  }

  @Override
  public int getMajorVersion() {
    return 1;
  }

  @Override
  public int getMinorVersion() {
    return 0;
  }

  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }
}
