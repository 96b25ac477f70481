package webcall.logging;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Log lines that clients cause (a bad packet, an unknown session, a refused upgrade). The caller
 * writes one line with no payload and no stack trace; this caps how many such lines each kind may
 * write per interval, so that one client sending a thousand bad requests adds a few lines, not a
 * thousand. What is held back is counted and said once, as {@code event=log-suppressed kind=K
 * count=N}, when the interval is over: at the next line of that kind or at the next {@link
 * #flush()}, whichever comes first. Kinds are the caller's constants, never client text, so the map
 * stays small.
 */
public final class ClientErrorLog {
  private final Logger log;
  private final int linesPerInterval;
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  /** One kind's current interval. */
  private static final class Window {
    long start;
    int written;
    long suppressed;

    Window(long start) {
      this.start = start;
    }
  }

  /** Ten lines of each kind per ten seconds. */
  public ClientErrorLog(Logger log) {
    this(log, 10, 10_000, System::nanoTime);
  }

  public ClientErrorLog(
      Logger log, int linesPerInterval, long intervalMillis, LongSupplier nanoClock) {
    if (linesPerInterval < 1 || intervalMillis < 1) {
      throw new IllegalArgumentException("linesPerInterval and intervalMillis must be at least 1");
    }
    this.log = log;
    this.linesPerInterval = linesPerInterval;
    this.intervalNanos = intervalMillis * 1_000_000L;
    this.nanoClock = nanoClock;
  }

  /**
   * Writes {@code format} (SLF4J style) at INFO unless this kind has used up its interval; escape
   * client text first.
   */
  public void info(String kind, String format, Object... args) {
    long now = nanoClock.getAsLong();
    Window w = windows.computeIfAbsent(kind, k -> new Window(now));
    long reportSuppressed;
    boolean write;
    synchronized (w) {
      reportSuppressed = roll(w, now);
      write = w.written < linesPerInterval;
      if (write) {
        w.written++;
      } else {
        w.suppressed++;
      }
    }
    if (reportSuppressed > 0) {
      log.info("event=log-suppressed kind={} count={}", kind, reportSuppressed);
    }
    if (write) {
      log.info(format, args);
    }
  }

  /**
   * Says what was held back in intervals that are over; call it from a timer so a burst that stops
   * is still told.
   */
  public void flush() {
    long now = nanoClock.getAsLong();
    windows.forEach(
        (kind, w) -> {
          long reportSuppressed;
          synchronized (w) {
            reportSuppressed = roll(w, now);
          }
          if (reportSuppressed > 0) {
            log.info("event=log-suppressed kind={} count={}", kind, reportSuppressed);
          }
        });
  }

  /** Lines held back so far in all kinds' current intervals (not yet told). */
  public long pendingSuppressed() {
    long sum = 0;
    for (Window w : windows.values()) {
      synchronized (w) {
        sum += w.suppressed;
      }
    }
    return sum;
  }

  /**
   * Starts a new interval if the current one is over; returns the count to report for the old one.
   */
  private long roll(Window w, long now) {
    if (now - w.start < intervalNanos) {
      return 0;
    }
    long s = w.suppressed;
    w.start = now;
    w.written = 0;
    w.suppressed = 0;
    return s;
  }
}
