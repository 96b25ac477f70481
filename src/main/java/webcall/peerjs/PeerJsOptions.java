package webcall.peerjs;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every setting of the PeerJS server, with the reference server's names in the comments. Immutable;
 * built once by the command line and handed down.
 *
 * @param key the key clients must present on the WebSocket ({@code key})
 * @param path where the server is mounted, normalised to start with "/" and not end with one, ""
 *     for the root ({@code path}); the WebSocket lives at {@code path + "/peerjs"}
 * @param expireTimeout how long a message waits for an absent peer before its sender gets EXPIRE
 *     ({@code expire_timeout})
 * @param aliveTimeout how long a client may go without HEARTBEAT ({@code alive_timeout})
 * @param cleanupInterval how often expired queues are swept ({@code cleanup_out_msgs})
 * @param concurrentLimit how many ids may be registered at once ({@code concurrent_limit})
 * @param allowDiscovery whether {@code GET {path}/{key}/peers} lists the registered ids ({@code
 *     allow_discovery})
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

  /**
   * Defaults of the reference CLI: key peerjs, expire 5 s, alive 60 s, sweep 1 s, 5 000 clients.
   */
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
   * @param socketsPerAddress PeerJS WebSockets open at once from one client address (ERROR + 1013
   *     above)
   * @param fragmentsPerMessage WebSocket frames one message may be split into (close 1008 above)
   * @param headerTimeoutMillis how long a connection may take to send a request's headers before it
   *     is closed
   * @param connectionsPerAddress TCP connections open at once from one client address, of any kind
   *     (refused above)
   * @param requestTimeoutMillis how long a request may wait for its response to start before its
   *     connection is closed
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
      long headerTimeoutMillis,
      int connectionsPerAddress,
      long requestTimeoutMillis) {

    public static final Limits DEFAULT =
        new Limits(
            64 * 1024,
            20,
            64 * 1024,
            200,
            10_000,
            16L * 1024 * 1024,
            100,
            200,
            2,
            1024 * 1024,
            50,
            128,
            30_000,
            200,
            30_000);

    /**
     * The names operators give these limits ({@code --limit name=value}), in the order of the
     * components.
     */
    public static final List<String> NAMES =
        List.of(
            "frame-bytes",
            "queue-per-destination",
            "queue-bytes-per-destination",
            "queue-per-sender",
            "queue-total",
            "queue-total-bytes",
            "peer-messages-per-second",
            "peer-message-burst",
            "heartbeats-per-second",
            "outbound-bytes",
            "sockets-per-address",
            "fragments-per-message",
            "header-timeout-ms",
            "connections-per-address",
            "request-timeout-ms");

    public Limits {
      for (long v :
          new long[] {
            maxFrameBytes,
            queuePerDestination,
            queueBytesPerDestination,
            queuePerSender,
            queueTotal,
            queueTotalBytes,
            messagesPerSecond,
            messageBurst,
            heartbeatsPerSecond,
            outboundBytes,
            socketsPerAddress,
            fragmentsPerMessage,
            headerTimeoutMillis,
            connectionsPerAddress,
            requestTimeoutMillis
          }) {
        if (v < 1) {
          throw new IllegalArgumentException("every PeerJS limit must be at least 1");
        }
      }
    }

    /**
     * The defaults with the named values replaced; names not in {@link #NAMES} are ignored here.
     */
    public static Limits from(Map<String, Long> values) {
      Limits d = DEFAULT;
      long[] v = {
        d.maxFrameBytes,
        d.queuePerDestination,
        d.queueBytesPerDestination,
        d.queuePerSender,
        d.queueTotal,
        d.queueTotalBytes,
        d.messagesPerSecond,
        d.messageBurst,
        d.heartbeatsPerSecond,
        d.outboundBytes,
        d.socketsPerAddress,
        d.fragmentsPerMessage,
        d.headerTimeoutMillis,
        d.connectionsPerAddress,
        d.requestTimeoutMillis
      };
      for (int i = 0; i < NAMES.size(); i++) {
        v[i] = values.getOrDefault(NAMES.get(i), v[i]);
      }
      return new Limits(
          Math.toIntExact(v[0]),
          Math.toIntExact(v[1]),
          Math.toIntExact(v[2]),
          Math.toIntExact(v[3]),
          Math.toIntExact(v[4]),
          v[5],
          Math.toIntExact(v[6]),
          Math.toIntExact(v[7]),
          Math.toIntExact(v[8]),
          Math.toIntExact(v[9]),
          Math.toIntExact(v[10]),
          Math.toIntExact(v[11]),
          v[12],
          Math.toIntExact(v[13]),
          v[14]);
    }
  }

  public PeerJsOptions withLimits(Limits newLimits) {
    return new PeerJsOptions(
        key,
        path,
        expireTimeout,
        aliveTimeout,
        cleanupInterval,
        concurrentLimit,
        allowDiscovery,
        newLimits);
  }
}
