package webcall.limit;

import java.util.function.LongSupplier;

/** A rate limit for one connection or client: tokens refill at a steady rate up to a burst. */
public final class TokenBucket {
  private final double perNano;
  private final double burst;
  private final LongSupplier nanoClock;
  private double tokens;
  private long last;

  public TokenBucket(double perSecond, double burst) {
    this(perSecond, burst, System::nanoTime);
  }

  /**
   * @param nanoClock a monotonic clock in nanoseconds, as {@link System#nanoTime} (tests pass their
   *     own)
   */
  public TokenBucket(double perSecond, double burst, LongSupplier nanoClock) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.nanoClock = nanoClock;
    this.last = nanoClock.getAsLong();
  }

  /** Takes one token; false when the bucket is empty. */
  public synchronized boolean take() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
