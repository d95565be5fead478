package io.vmagent.agent.libvirt;

import io.vmagent.agent.retry.Backoff;
import io.vmagent.agent.util.NamedThreads;
import io.vmagent.protocol.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.event.ConnectionCloseReason;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.LifecycleListener;
import org.libvirt.event.RebootListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the agent's one libvirt connection: opens it, runs every call on a bounded pool of worker
 * threads under a deadline (a call that hangs fails alone with {@link ErrorCode#TIMEOUT}), notices
 * when the connection closes (close callback, keepalive, or a failed call on a dead connection),
 * reconnects with exponential backoff while reporting {@link ConnectionState#DEGRADED}, and turns
 * libvirt's domain lifecycle events into a stream of {@link VmLifecycleEvent}s.
 */
public final class LibvirtConnectionManager implements AutoCloseable {
  /** Deadline of one libvirt call when the caller gives none. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(LibvirtConnectionManager.class);
  private static final int KEEPALIVE_INTERVAL_SECONDS = 5;
  private static final int KEEPALIVE_COUNT = 3;
  private static final int EVENT_QUEUE_CAPACITY = 4096;

  private final String uri;
  private final Duration callTimeout;
  private final Backoff backoff;
  private final int workerThreads;
  private final ThreadPoolExecutor workers;
  private final ScheduledExecutorService reconnector;
  private final ThreadPoolExecutor dispatcher;
  private final List<VmEventListener> eventListeners = new CopyOnWriteArrayList<>();
  private final UptimeTracker uptime = new UptimeTracker();
  private final List<Consumer<ConnectionState>> stateListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong droppedEvents = new AtomicLong();
  // One instance each, so that they can be deregistered before a connection is closed: a JNA
  // callback left registered on a connection whose Java object is collected would crash the JVM.
  private final LifecycleListener lifecycleListener = this::onLifecycle;
  private final RebootListener rebootListener = this::onReboot;

  private final Object lock = new Object();
  private Connect current; // guarded by lock
  private ConnectionState state = ConnectionState.CONNECTING; // guarded by lock
  private String lastError; // guarded by lock
  private int failedAttempts; // guarded by lock
  // When the current outage began (System.nanoTime), or null while connected; one WARN opens an
  // outage and one INFO closes it, the attempts between are DEBUG.
  private Long outageSince; // guarded by lock
  private boolean reconnectScheduled; // guarded by lock

  /** A manager with the default call deadline (30 s), 8 workers and 250 ms..30 s backoff. */
  public LibvirtConnectionManager(String uri) {
    this(uri, DEFAULT_CALL_TIMEOUT);
  }

  /**
   * The agent's connection: up to eight calls in flight, reconnecting after 250 ms, the delay
   * doubling up to 30 s.
   */
  public LibvirtConnectionManager(String uri, Duration callTimeout) {
    this(uri, callTimeout, 8, Duration.ofMillis(250), Duration.ofSeconds(30));
  }

  /**
   * @param uri the libvirt URI ({@code AGENT_LIBVIRT_URI}), for example {@code qemu:///system}
   * @param callTimeout deadline of one libvirt call when the caller gives none
   * @param workerThreads how many libvirt calls may be in flight at once (calls stuck in libvirt
   *     hold a worker until libvirt returns; when all are held, calls fail fast)
   * @param minBackoff first delay before reconnecting; doubles per failed attempt
   * @param maxBackoff upper bound of the reconnect delay
   */
  public LibvirtConnectionManager(
      String uri,
      Duration callTimeout,
      int workerThreads,
      Duration minBackoff,
      Duration maxBackoff) {
    this.uri = requireText(uri, "uri");
    this.callTimeout = requirePositive(callTimeout, "callTimeout");
    requirePositive(minBackoff, "minBackoff");
    requirePositive(maxBackoff, "maxBackoff");
    if (workerThreads < 1) {
      throw new IllegalArgumentException("workerThreads must be at least 1, got " + workerThreads);
    }
    if (maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff must not be below minBackoff");
    }
    this.backoff = Backoff.forLoop(minBackoff, maxBackoff);
    this.workerThreads = workerThreads;
    this.workers =
        new ThreadPoolExecutor(
            workerThreads,
            workerThreads,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(workerThreads * 16),
            NamedThreads.factory("libvirt-call-", true));
    this.workers.allowCoreThreadTimeOut(true);
    this.reconnector =
        Executors.newSingleThreadScheduledExecutor(
            NamedThreads.factory("libvirt-reconnect-", true));
    this.dispatcher =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(EVENT_QUEUE_CAPACITY),
            NamedThreads.factory("libvirt-event-dispatch-", true));
    eventListeners.add(uptime);
  }

  /**
   * Opens the connection (within the call deadline). When libvirt cannot be reached the manager
   * does not fail: it reports {@link ConnectionState#DEGRADED} and keeps reconnecting.
   *
   * @return the state after the first attempt
   */
  public ConnectionState start() {
    LibvirtEventLoop.ensureRunning();
    synchronized (lock) {
      if (state == ConnectionState.CLOSED) {
        throw new IllegalStateException("connection manager is closed");
      }
      if (current != null || reconnectScheduled) {
        return state;
      }
    }
    attemptConnect();
    return state();
  }

  /** The URI this manager connects to. */
  public String uri() {
    return uri;
  }

  /** The default deadline of one libvirt call. */
  public Duration callTimeout() {
    return callTimeout;
  }

  /** Whether a connection is open right now. */
  public ConnectionState state() {
    synchronized (lock) {
      return state;
    }
  }

  /** Why the last connection attempt failed or the connection was lost; null when connected. */
  public String lastError() {
    synchronized (lock) {
      return lastError;
    }
  }

  /** How many times a lost connection was re-established. */
  public long reconnects() {
    return reconnects.get();
  }

  /** Lifecycle events dropped because listeners fell behind by more than the queue holds. */
  public long droppedEvents() {
    return droppedEvents.get();
  }

  /** Runs {@code fn} with the live connection under the default call deadline. */
  public <T> T withConnection(String what, ConnectFunction<T> fn) {
    return withConnection(what, callTimeout, fn);
  }

  /**
   * Runs {@code fn} with the live connection on a libvirt worker thread and waits at most {@code
   * deadline} for it. libvirt's own errors are translated into {@link VmOperationException}s that
   * keep libvirt's message; a {@link VmOperationException} thrown by {@code fn} passes unchanged.
   *
   * @param what a short description of the call for error messages, for example {@code "start
   *     web-1"}
   * @throws VmOperationException {@code LIBVIRT_UNAVAILABLE} when not connected, when the
   *     connection broke during the call, or when every worker is busy; {@code TIMEOUT} when the
   *     deadline passed (the call may still complete inside libvirt later)
   */
  public <T> T withConnection(String what, Duration deadline, ConnectFunction<T> fn) {
    Objects.requireNonNull(fn, "fn == null");
    requirePositive(deadline, "deadline");
    Connect connect = liveConnection(what);
    Future<T> future;
    try {
      future = workers.submit(() -> fn.apply(connect));
    } catch (RejectedExecutionException e) {
      throw new VmOperationException(
          ErrorCode.LIBVIRT_UNAVAILABLE,
          what
              + ": all "
              + workerThreads
              + " libvirt worker threads are busy (libvirt is not answering calls)",
          e);
    }
    try {
      return future.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // A queued call is dropped; one already inside libvirt cannot be interrupted and keeps its
      // worker until libvirt returns (the pool is bounded, so stuck calls cannot pile up).
      future.cancel(false);
      throw new VmOperationException(
          ErrorCode.TIMEOUT, what + ": libvirt did not answer within " + human(deadline), e);
    } catch (InterruptedException e) {
      future.cancel(false);
      Thread.currentThread().interrupt();
      throw new VmOperationException(
          ErrorCode.OPERATION_FAILED, what + ": interrupted while waiting for libvirt", e);
    } catch (ExecutionException e) {
      throw translateFailure(what, connect, e.getCause());
    }
  }

  /** When this host's VMs started, kept current by this connection's lifecycle events. */
  public UptimeTracker uptime() {
    return uptime;
  }

  /** Subscribes to domain lifecycle events; they survive reconnections. */
  public Subscription subscribe(VmEventListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    eventListeners.add(listener);
    return () -> eventListeners.remove(listener);
  }

  /** Subscribes to connection state changes, delivered on the event dispatch thread. */
  public Subscription onStateChange(Consumer<ConnectionState> listener) {
    Objects.requireNonNull(listener, "listener == null");
    stateListeners.add(listener);
    return () -> stateListeners.remove(listener);
  }

  /**
   * Tells the manager that {@code connect} is unusable although libvirt did not say so (for example
   * a call that timed out on a daemon that stopped answering). Ignored when {@code connect} is no
   * longer the current connection.
   */
  public void reportBroken(Connect connect, String reason) {
    markLost(connect, reason);
  }

  /** Closes the connection and stops every thread the manager started. */
  @Override
  public void close() {
    Connect toClose;
    synchronized (lock) {
      if (state == ConnectionState.CLOSED) {
        return;
      }
      toClose = current;
      current = null;
      state = ConnectionState.CLOSED;
    }
    reconnector.shutdownNow();
    if (toClose != null) {
      try {
        workers.execute(() -> closeQuietly(toClose, "manager closed"));
      } catch (RejectedExecutionException e) {
        log.debug("libvirt connection not closed: workers busy");
      }
    }
    workers.shutdown();
    dispatcher.shutdown();
    awaitQuietly(workers, Duration.ofSeconds(2));
    awaitQuietly(dispatcher, Duration.ofSeconds(1));
    workers.shutdownNow();
    dispatcher.shutdownNow();
  }

  private Connect liveConnection(String what) {
    synchronized (lock) {
      if (state == ConnectionState.CLOSED) {
        throw new VmOperationException(
            ErrorCode.LIBVIRT_UNAVAILABLE, what + ": the libvirt connection manager is closed");
      }
      if (current == null) {
        String reason = lastError == null ? "not connected yet" : lastError;
        throw new VmOperationException(
            ErrorCode.LIBVIRT_UNAVAILABLE,
            what + ": libvirt at " + uri + " is unavailable (" + reason + "); reconnecting");
      }
      return current;
    }
  }

  private RuntimeException translateFailure(String what, Connect connect, Throwable cause) {
    if (cause instanceof LibvirtException le) {
      if (LibvirtErrors.mayBeConnectionLoss(le) && !isAlive(connect)) {
        String message = LibvirtErrors.messageOf(le);
        markLost(connect, message);
        return new VmOperationException(
            ErrorCode.LIBVIRT_UNAVAILABLE,
            what + ": the connection to libvirt was lost: " + message,
            le);
      }
      return LibvirtErrors.translate(what, le);
    }
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return new VmOperationException(ErrorCode.OPERATION_FAILED, what + ": " + cause, cause);
  }

  private static boolean isAlive(Connect connect) {
    try {
      return connect.isAlive();
    } catch (LibvirtException | RuntimeException e) {
      return false;
    }
  }

  private void attemptConnect() {
    try {
      Connect opened = openBounded();
      boolean keep;
      Long outage;
      int attempts;
      synchronized (lock) {
        reconnectScheduled = false;
        keep = state != ConnectionState.CLOSED;
        outage = outageSince;
        attempts = failedAttempts + 1;
        if (keep) {
          boolean wasLost = failedAttempts > 0 || lastError != null;
          current = opened;
          failedAttempts = 0;
          lastError = null;
          outageSince = null;
          if (wasLost && state == ConnectionState.DEGRADED) {
            reconnects.incrementAndGet();
          }
          setStateLocked(ConnectionState.CONNECTED);
        }
      }
      if (keep && outage == null) {
        log.info("connected to libvirt at {}", uri);
      } else if (keep) {
        log.info(
            "connected to libvirt at {} again after {} without it ({} attempts)",
            uri,
            roughly(Duration.ofNanos(System.nanoTime() - outage)),
            attempts);
      } else {
        closeQuietly(opened, "manager closed while connecting");
      }
    } catch (VmOperationException e) {
      boolean outageBegins;
      synchronized (lock) {
        reconnectScheduled = false;
        if (state == ConnectionState.CLOSED) {
          return;
        }
        outageBegins = outageSince == null;
        if (outageBegins) {
          outageSince = System.nanoTime();
        }
        lastError = e.getMessage();
        setStateLocked(ConnectionState.DEGRADED);
        scheduleReconnectLocked();
      }
      if (outageBegins) {
        log.warn(
            "cannot connect to libvirt at {}: {}; retrying in the background", uri, e.getMessage());
      } else {
        log.debug("still cannot connect to libvirt at {}: {}", uri, e.getMessage());
      }
    }
  }

  /** Opens a connection on a worker, waiting at most the call deadline. */
  private Connect openBounded() {
    CompletableFuture<Connect> opening;
    try {
      opening = CompletableFuture.supplyAsync(this::open, workers);
    } catch (RejectedExecutionException e) {
      throw new VmOperationException(
          ErrorCode.LIBVIRT_UNAVAILABLE, "all libvirt worker threads are busy", e);
    }
    try {
      return opening.get(callTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // The open may still succeed later; that connection must not leak.
      var unused = opening.thenAccept(late -> closeQuietly(late, "opened after its deadline"));
      throw new VmOperationException(
          ErrorCode.TIMEOUT, "opening " + uri + " took longer than " + human(callTimeout), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VmOperationException(
          ErrorCode.LIBVIRT_UNAVAILABLE, "interrupted while opening " + uri, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof VmOperationException failure) {
        throw failure;
      }
      throw new VmOperationException(
          ErrorCode.LIBVIRT_UNAVAILABLE, "cannot open " + uri + ": " + cause, cause);
    }
  }

  private Connect open() {
    Connect connect;
    try {
      connect = new Connect(uri);
    } catch (LibvirtException e) {
      throw new VmOperationException(
          ErrorCode.LIBVIRT_UNAVAILABLE,
          "cannot open " + uri + ": " + LibvirtErrors.messageOf(e),
          e);
    }
    try {
      // Only remote drivers speak keepalive; local drivers (test://) refuse it, which is fine.
      connect.setKeepAlive(KEEPALIVE_INTERVAL_SECONDS, KEEPALIVE_COUNT);
    } catch (LibvirtException e) {
      log.debug("keepalive not available on {}: {}", uri, LibvirtErrors.messageOf(e));
    }
    try {
      connect.registerCloseListener(this::onClosed);
    } catch (LibvirtException e) {
      log.debug("close callback not available on {}: {}", uri, LibvirtErrors.messageOf(e));
    }
    try {
      connect.addLifecycleListener(lifecycleListener);
      connect.addRebootListener(rebootListener);
    } catch (LibvirtException e) {
      closeQuietly(connect, "event registration failed");
      throw new VmOperationException(
          ErrorCode.LIBVIRT_UNAVAILABLE,
          "cannot subscribe to domain events on " + uri + ": " + LibvirtErrors.messageOf(e),
          e);
    }
    return connect;
  }

  private void onClosed(Connect connect, ConnectionCloseReason reason) {
    markLost(connect, "libvirt closed the connection (" + VmLifecycleEvent.lower(reason) + ")");
  }

  // The same connection object, not an equal one: a newer connection must stay. Guarded by lock.
  @SuppressWarnings("ReferenceEquality")
  private boolean isCurrent(Connect connect) {
    return current == connect;
  }

  private void markLost(Connect connect, String reason) {
    synchronized (lock) {
      if (connect == null || !isCurrent(connect)) {
        return;
      }
      current = null;
      lastError = reason;
      outageSince = System.nanoTime();
      setStateLocked(ConnectionState.DEGRADED);
      scheduleReconnectLocked();
    }
    log.warn("lost the libvirt connection to {}: {}; reconnecting", uri, reason);
    // Calls still running on the old connection finish or time out first; then it is released.
    try {
      var unused =
          reconnector.schedule(
              () -> {
                try {
                  workers.execute(() -> closeQuietly(connect, "connection lost"));
                } catch (RejectedExecutionException e) {
                  log.debug("stale libvirt connection left to the garbage collector");
                }
              },
              callTimeout.toMillis(),
              TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("manager closing; stale connection not released");
    }
  }

  private void scheduleReconnectLocked() {
    if (reconnectScheduled || state == ConnectionState.CLOSED) {
      return;
    }
    failedAttempts++;
    long delay = backoff.delay(failedAttempts).toMillis();
    reconnectScheduled = true;
    try {
      var unused = reconnector.schedule(this::attemptConnect, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      reconnectScheduled = false;
    }
  }

  private void setStateLocked(ConnectionState next) {
    if (state == next) {
      return;
    }
    state = next;
    dispatch(
        () -> {
          for (Consumer<ConnectionState> listener : stateListeners) {
            try {
              listener.accept(next);
            } catch (RuntimeException e) {
              log.warn("connection state listener {} failed", listener, e);
            }
          }
        });
  }

  private int onLifecycle(Domain domain, DomainEvent event) {
    publish(
        domain, VmLifecycleEvent.lower(event.getType()), VmLifecycleEvent.lower(event.getDetail()));
    return 0;
  }

  private void onReboot(Domain domain) {
    publish(domain, "rebooted", "reset");
  }

  private void publish(Domain domain, String type, String detail) {
    String name;
    String uuid;
    try {
      name = domain.getName();
      uuid = domain.getUUIDString();
    } catch (LibvirtException e) {
      log.warn("lifecycle event {} for an unreadable domain: {}", type, e.getMessage());
      return;
    }
    VmLifecycleEvent event =
        new VmLifecycleEvent(name, uuid, type, detail, java.time.Instant.now());
    dispatch(
        () -> {
          for (VmEventListener listener : eventListeners) {
            try {
              listener.onEvent(event);
            } catch (RuntimeException e) {
              log.warn("lifecycle listener {} failed on {}", listener, event, e);
            }
          }
        });
  }

  private void dispatch(Runnable delivery) {
    try {
      dispatcher.execute(delivery);
    } catch (RejectedExecutionException e) {
      if (!dispatcher.isShutdown()) {
        droppedEvents.incrementAndGet();
        log.warn("event listeners are too slow; an event was dropped");
      }
    }
  }

  private void closeQuietly(Connect connect, String why) {
    try {
      connect.removeLifecycleListener(lifecycleListener);
    } catch (LibvirtException | RuntimeException e) {
      log.debug("removing the lifecycle listener failed ({}): {}", why, e.getMessage());
    }
    removeRebootListener(connect, why);
    try {
      connect.unregisterCloseListener();
    } catch (LibvirtException | RuntimeException e) {
      log.debug("unregistering the close callback failed ({}): {}", why, e.getMessage());
    }
    try {
      connect.close();
    } catch (LibvirtException | RuntimeException e) {
      log.debug("closing a libvirt connection ({}) failed: {}", why, e.getMessage());
    }
  }

  /**
   * libvirt-java 0.5.3 offers no public way to remove a reboot listener; its private deregistration
   * (event id 1, VIR_DOMAIN_EVENT_ID_REBOOT) is called by reflection.
   */
  private void removeRebootListener(Connect connect, String why) {
    try {
      java.lang.reflect.Method deregister =
          Connect.class.getDeclaredMethod(
              "domainEventDeregister", int.class, org.libvirt.event.EventListener.class);
      deregister.setAccessible(true);
      deregister.invoke(connect, 1, rebootListener);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("removing the reboot listener failed ({}): {}", why, e.toString());
    }
  }

  private static void awaitQuietly(ExecutorService executor, Duration wait) {
    try {
      executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An outage's length as an operator reads it: whole seconds, milliseconds under ten. */
  private static String roughly(Duration d) {
    return d.toSeconds() >= 10 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
  }

  private static String requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    return value;
  }

  private static Duration requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name + " == null");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
    return value;
  }
}
