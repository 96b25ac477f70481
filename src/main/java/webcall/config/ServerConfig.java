package webcall.config;

import java.util.List;
import webcall.ice.IceOptions;
import webcall.peerjs.PeerJsOptions;

/**
 * Everything the call server needs to start, parsed once from flags and environment variables by {@code Main}.
 *
 * @param host address to listen on
 * @param port port to listen on, 0 for any free port
 * @param allowedOrigins origins besides the server's own that may open Socket.IO and PeerJS connections
 * @param roomCapacity participants per room (a full mesh grows as n²: keep it small)
 * @param maxPayloadBytes largest Engine.IO payload (WebSocket frame or polling body)
 * @param proxied trust X-Forwarded-* headers from a reverse proxy
 * @param peerjs the embedded PeerJS server's settings
 * @param ice STUN responder and the ICE servers handed to pages
 */
public record ServerConfig(
    String host,
    int port,
    List<String> allowedOrigins,
    int roomCapacity,
    int maxPayloadBytes,
    boolean proxied,
    PeerJsOptions peerjs,
    IceOptions ice) {

  public ServerConfig {
    allowedOrigins = List.copyOf(allowedOrigins);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535");
    }
    if (roomCapacity < 2) {
      throw new IllegalArgumentException("room capacity must be at least 2");
    }
  }

  /** Without ICE settings: the defaults (built-in STUN on 3478, no TURN). */
  public ServerConfig(
      String host,
      int port,
      List<String> allowedOrigins,
      int roomCapacity,
      int maxPayloadBytes,
      boolean proxied,
      PeerJsOptions peerjs) {
    this(host, port, allowedOrigins, roomCapacity, maxPayloadBytes, proxied, peerjs, IceOptions.defaults());
  }

  /** Defaults for tests and embedding: loopback, any free port (the STUN responder's too). */
  public static ServerConfig forLoopback() {
    return new ServerConfig(
        "127.0.0.1", 0, List.of(), 8, 1_000_000, false, PeerJsOptions.defaults("/peerjs"), IceOptions.forTests());
  }

  public ServerConfig withPeerJs(PeerJsOptions options) {
    return new ServerConfig(host, port, allowedOrigins, roomCapacity, maxPayloadBytes, proxied, options, ice);
  }

  public ServerConfig withRoomCapacity(int capacity) {
    return new ServerConfig(host, port, allowedOrigins, capacity, maxPayloadBytes, proxied, peerjs, ice);
  }

  public ServerConfig withIce(IceOptions options) {
    return new ServerConfig(host, port, allowedOrigins, roomCapacity, maxPayloadBytes, proxied, peerjs, options);
  }
}
