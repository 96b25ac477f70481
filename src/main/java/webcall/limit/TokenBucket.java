package webcall.limit;

/** A rate limit for one connection or client: tokens refill at a steady rate up to a burst. */
public final class TokenBucket {
  private final double perNano;
  private final double burst;
  private double tokens;
  private long last;

  public TokenBucket(double perSecond, double burst) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = System.nanoTime();
  }

  /** Takes one token; false when the bucket is empty. */
  public synchronized boolean take() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
