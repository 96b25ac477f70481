package webcall.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private final AtomicLong nanos = new AtomicLong(123_456_789L);

  private int takeAll(TokenBucket bucket) {
    int n = 0;
    while (bucket.take()) {
      n++;
    }
    return n;
  }

  @Test
  void startsFullWithTheBurstThenRefusesUntilTimePasses() {
    TokenBucket bucket = new TokenBucket(10, 5, nanos::get);
    assertThat(takeAll(bucket)).isEqualTo(5);
    assertThat(bucket.take()).isFalse();
  }

  @Test
  void refillsAtTheRateExactly() {
    TokenBucket bucket = new TokenBucket(10, 5, nanos::get);
    takeAll(bucket);
    nanos.addAndGet(99_999_999L); // just short of one token at 10/s
    assertThat(bucket.take()).isFalse();
    nanos.addAndGet(1L);
    assertThat(bucket.take()).isTrue();
    assertThat(bucket.take()).isFalse();
    nanos.addAndGet(300_000_000L);
    assertThat(takeAll(bucket)).isEqualTo(3);
  }

  @Test
  void neverHoldsMoreThanTheBurst() {
    TokenBucket bucket = new TokenBucket(100, 3, nanos::get);
    nanos.addAndGet(3_600_000_000_000L); // an hour idle
    assertThat(takeAll(bucket)).isEqualTo(3);
  }

  @Test
  void fractionalRatesAccumulate() {
    TokenBucket bucket = new TokenBucket(0.5, 1, nanos::get); // one every two seconds
    assertThat(bucket.take()).isTrue();
    nanos.addAndGet(1_000_000_000L);
    assertThat(bucket.take()).isFalse();
    nanos.addAndGet(1_000_000_000L);
    assertThat(bucket.take()).isTrue();
  }
}
