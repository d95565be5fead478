package io.vmagent.backend.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.vmagent.backend.config.BackendConfig;
import io.vmagent.backend.files.SecureFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The connection pool and schema of the backend's database, H2 embedded or PostgreSQL. */
public final class Database implements AutoCloseable {
  // H2 parses a statement again unless its connection cached it; its default of 8 is fewer than
  // the statements the agents' routes run, so they pushed each other out.
  private static final int QUERY_CACHE_SIZE = 64;

  private final HikariDataSource pool;
  private final Dialect dialect;
  private volatile DatabaseClock clock;

  private Database(HikariDataSource pool, Dialect dialect) {
    this.pool = pool;
    this.dialect = dialect;
  }

  /** The database's clock, read the first time it is asked for (see {@link DatabaseClock}). */
  public synchronized DatabaseClock clock() {
    if (clock == null) {
      clock = new DatabaseClock(this);
    }
    return clock;
  }

  /** Opens the pool and migrates the schema to the newest version. */
  public static Database open(BackendConfig config) throws IOException {
    return open(config, null);
  }

  /**
   * Opens the database as {@link #open(BackendConfig)} does, the pool reporting to {@code metrics}
   * (none when null).
   */
  public static Database open(BackendConfig config, MetricsTrackerFactory metrics)
      throws IOException {
    String url = config.jdbcUrl();
    Path embedded = null;
    if (url == null) {
      Path dir = SecureFiles.privateDirectory(config.dataDir().resolve("db"));
      embedded = dir;
      // DB_CLOSE_ON_EXIT=FALSE: the pool closes the database, not a JVM shutdown hook racing it.
      // QUERY_CACHE_SIZE: each connection keeps the parsed statements of the agents' routes.
      url =
          "jdbc:h2:file:"
              + dir.resolve("vm-backend").toAbsolutePath()
              + ";DB_CLOSE_ON_EXIT=FALSE;QUERY_CACHE_SIZE="
              + QUERY_CACHE_SIZE;
    }
    Dialect dialect = Dialect.of(url);
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("vm-backend-db");
    hikari.setJdbcUrl(url);
    if (config.dbUser() != null) {
      hikari.setUsername(config.dbUser());
    }
    if (config.dbPassword() != null) {
      hikari.setPassword(config.dbPassword());
    }
    hikari.setMaximumPoolSize(config.dbPoolSize());
    hikari.setConnectionTimeout(10_000);
    hikari.setAutoCommit(true);
    if (metrics != null) {
      hikari.setMetricsTrackerFactory(metrics);
    }
    if (config.dbSchema() != null) {
      migrateSchemaFirst(config, url);
      hikari.setSchema(config.dbSchema());
    }
    HikariDataSource pool = new HikariDataSource(hikari);
    try {
      if (config.dbSchema() == null) {
        Flyway.configure().dataSource(pool).load().migrate();
      }
      if (embedded != null) {
        // H2 made its files with the umask; the directory is private, the files are made so too.
        SecureFiles.privateFiles(embedded);
      }
    } catch (RuntimeException | IOException e) {
      pool.close();
      throw e;
    }
    return new Database(pool, dialect);
  }

  private static void migrateSchemaFirst(BackendConfig config, String url) {
    Flyway.configure()
        .dataSource(url, config.dbUser(), config.dbPassword())
        .schemas(config.dbSchema())
        .createSchemas(true)
        .load()
        .migrate();
  }

  /** The dialect of this database. */
  public Dialect dialect() {
    return dialect;
  }

  /** The pool, for inspection by tools and tests. */
  public DataSource dataSource() {
    return pool;
  }

  /** Runs the work in one transaction, committed when it returns and rolled back if it throws. */
  public <T> T inTransaction(String what, SqlWork<T> work) {
    try (Connection connection = pool.getConnection()) {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StorageException("database failed to " + what, e);
    }
  }

  /**
   * Runs one read on its own, outside a transaction: for a single statement, whose answer is
   * consistent by itself, this spares the transaction's begin and commit (on PostgreSQL a round
   * trip to the server). Work that writes, or reads twice and needs both answers to agree, takes
   * {@link #inTransaction}.
   */
  public <T> T read(String what, SqlWork<T> work) {
    try (Connection connection = pool.getConnection()) {
      return work.run(connection);
    } catch (SQLException e) {
      throw new StorageException("database failed to " + what, e);
    }
  }

  /** True when the database answers a trivial query. */
  public boolean reachable() {
    try (Connection connection = pool.getConnection()) {
      return connection.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    DatabaseClock started = clock;
    if (started != null) {
      started.close();
    }
    pool.close();
  }
}
