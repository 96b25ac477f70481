package webcall.peerjs;

import java.time.Duration;

/**
 * Every setting of the PeerJS server, with the reference server's names in the comments. Immutable; built once by the
 * command line and handed down.
 *
 * @param key the key clients must present on the WebSocket ({@code key})
 * @param path where the server is mounted, normalised to start with "/" and not end with one, "" for the root
 *     ({@code path}); the WebSocket lives at {@code path + "/peerjs"}
 * @param expireTimeout how long a message waits for an absent peer before its sender gets EXPIRE ({@code
 *     expire_timeout})
 * @param aliveTimeout how long a client may go without HEARTBEAT ({@code alive_timeout})
 * @param cleanupInterval how often expired queues are swept ({@code cleanup_out_msgs})
 * @param concurrentLimit how many ids may be registered at once ({@code concurrent_limit})
 * @param allowDiscovery whether {@code GET {path}/{key}/peers} lists the registered ids ({@code allow_discovery})
 * @param limits the bounds on bad or greedy clients (docs/limits.md)
 */
public record PeerJsOptions(
    String key,
    String path,
    Duration expireTimeout,
    Duration aliveTimeout,
    Duration cleanupInterval,
    int concurrentLimit,
    boolean allowDiscovery,
    Limits limits) {

  public PeerJsOptions {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("PeerJS key must not be empty");
    }
    path = normalisePath(path);
    if (concurrentLimit < 1) {
      throw new IllegalArgumentException("concurrent_limit must be at least 1");
    }
  }

  /** Defaults of the reference CLI: key peerjs, expire 5 s, alive 60 s, sweep 1 s, 5 000 clients. */
  public static PeerJsOptions defaults(String path) {
    return new PeerJsOptions(
        "peerjs",
        path,
        Duration.ofMillis(5000),
        Duration.ofMillis(60000),
        Duration.ofMillis(1000),
        5000,
        false,
        Limits.DEFAULT);
  }

  /** The WebSocket path, e.g. "/peerjs/peerjs" for path "/peerjs" and "/peerjs" for path "/". */
  public String webSocketPath() {
    return path + "/peerjs";
  }

  static String normalisePath(String path) {
    String p = path == null ? "" : path.trim();
    if (!p.startsWith("/")) {
      p = "/" + p;
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  /**
   * Bounds from docs/limits.md.
   *
   * @param maxFrameBytes largest WebSocket message (close 1009 above)
   * @param queuePerDestination messages waiting for one absent peer
   * @param queueBytesPerDestination bytes waiting for one absent peer
   * @param queuePerSender messages one sender may have waiting in all queues
   * @param queueTotal messages waiting in all queues
   * @param queueTotalBytes bytes waiting in all queues
   * @param messagesPerSecond sustained messages per socket
   * @param messageBurst burst of messages per socket
   * @param heartbeatsPerSecond HEARTBEATs per socket per second
   * @param outboundBytes bytes buffered towards one socket before it counts as a slow consumer
   * @param socketsPerAddress PeerJS WebSockets open at once from one client address (ERROR + 1013 above)
   * @param fragmentsPerMessage WebSocket frames one message may be split into (close 1008 above)
   * @param headerTimeoutMillis how long a connection may take to send a request's headers before it is closed
   */
  public record Limits(
      int maxFrameBytes,
      int queuePerDestination,
      int queueBytesPerDestination,
      int queuePerSender,
      int queueTotal,
      long queueTotalBytes,
      int messagesPerSecond,
      int messageBurst,
      int heartbeatsPerSecond,
      int outboundBytes,
      int socketsPerAddress,
      int fragmentsPerMessage,
      long headerTimeoutMillis) {

    public static final Limits DEFAULT =
        new Limits(
            64 * 1024, 20, 64 * 1024, 200, 10_000, 16L * 1024 * 1024, 100, 200, 2, 1024 * 1024, 50, 128, 30_000);
  }

  public PeerJsOptions withLimits(Limits newLimits) {
    return new PeerJsOptions(
        key, path, expireTimeout, aliveTimeout, cleanupInterval, concurrentLimit, allowDiscovery, newLimits);
  }
}
