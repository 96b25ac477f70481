package webcall.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-source STUN reply limit and the per-client /api/ice limit, on a clock the test moves. */
class RateLimitsTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong nanos = new AtomicLong(7 * SECOND);

  @Test
  void stunRepliesPerSourceAreCappedWithinOneSecondAndResetInTheNext() {
    StunServer.PerSourceLimit limit = new StunServer.PerSourceLimit(3, nanos::get);
    byte[] a = {127, 0, 0, 2};
    for (int i = 0; i < 3; i++) {
      assertThat(limit.allow(a)).isTrue();
    }
    assertThat(limit.allow(a)).isFalse();
    nanos.addAndGet(SECOND - 1); // still the same second
    assertThat(limit.allow(a)).isFalse();
    nanos.addAndGet(1);
    assertThat(limit.allow(a)).isTrue();
  }

  @Test
  void stunSourcesHaveTheirOwnBudgets() {
    StunServer.PerSourceLimit limit = new StunServer.PerSourceLimit(1, nanos::get);
    assertThat(limit.allow(new byte[] {10, 0, 0, 1})).isTrue();
    assertThat(limit.allow(new byte[] {10, 0, 0, 1})).isFalse();
    assertThat(limit.allow(new byte[] {10, 0, 0, 2})).isTrue();
  }

  @Test
  void iceApiRequestsPerClientAreCappedPerMinute() {
    IceApi.PerClientLimit limit = new IceApi.PerClientLimit(2, nanos::get);
    nanos.set(60 * SECOND * 100); // the start of a minute
    assertThat(limit.allow("192.0.2.1")).isTrue();
    assertThat(limit.allow("192.0.2.1")).isTrue();
    assertThat(limit.allow("192.0.2.1")).isFalse();
    assertThat(limit.allow("192.0.2.2")).isTrue();
    nanos.addAndGet(60 * SECOND - 1);
    assertThat(limit.allow("192.0.2.1")).isFalse();
    nanos.addAndGet(1);
    assertThat(limit.allow("192.0.2.1")).isTrue();
  }

  @Test
  void iceApiKeepsBoundedMemoryWhenManyClientsCome() {
    IceApi.PerClientLimit limit = new IceApi.PerClientLimit(1, nanos::get);
    assertThat(limit.allow("192.0.2.9")).isTrue();
    assertThat(limit.allow("192.0.2.9")).isFalse();
    nanos.addAndGet(60 * SECOND);
    for (int i = 0; i < 10_001; i++) {
      limit.allow("10.0." + (i >> 8) + "." + (i & 255));
    }
    // Past 10 000 clients the stale windows are swept; when all are current they are forgotten
    // (documented): the map
    // never grows without bound, at the price of a fresh budget for everyone.
    assertThat(limit.allow("10.0.0.0")).isTrue();
    assertThat(limit.allow("10.0.0.0")).isFalse();
  }
}
