package webcall.peerjs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** The options the PeerJS unit tests share: expire 5 s, alive 60 s, sweeps every second. */
final class Peers {
  private Peers() {}

  static PeerJsOptions options(int concurrentLimit, Map<String, Long> limits) {
    return new PeerJsOptions(
        "peerjs",
        "/",
        Duration.ofMillis(5000),
        Duration.ofMillis(60_000),
        Duration.ofMillis(1000),
        concurrentLimit,
        false,
        PeerJsOptions.Limits.from(limits));
  }

  static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
