package webcall.config;

import java.util.List;
import webcall.ice.IceOptions;
import webcall.peerjs.PeerJsOptions;
import webcall.rooms.SignalingLimits;
import webcall.tls.TlsOptions;

/**
 * Everything the call server needs to start, parsed once from flags and environment variables by
 * {@code Main}.
 *
 * @param host address to listen on
 * @param port port to listen on, 0 for any free port
 * @param allowedOrigins origins besides the server's own that may open Socket.IO and PeerJS
 *     connections
 * @param roomCapacity participants per room (a full mesh grows as n²: keep it small)
 * @param maxPayloadBytes largest Engine.IO payload (WebSocket frame or polling body)
 * @param proxied trust X-Forwarded-* headers from a reverse proxy
 * @param peerjs the embedded PeerJS server's settings
 * @param ice STUN responder and the ICE servers handed to pages
 * @param tls HTTPS: certificate, redirects from plain HTTP
 * @param signaling the room signaling's limits
 * @param uploadBudgetKbps what each page may send in all, in kbit/s, shared among the people it
 *     sends to
 * @param allowLegacyJoin accept the original page's {@code join-room(roomId, userId)} without a
 *     token, trusting the client's word for its PeerJS id as long as that id is connected
 */
public record ServerConfig(
    String host,
    int port,
    List<String> allowedOrigins,
    int roomCapacity,
    int maxPayloadBytes,
    boolean proxied,
    PeerJsOptions peerjs,
    IceOptions ice,
    TlsOptions tls,
    SignalingLimits signaling,
    int uploadBudgetKbps,
    boolean allowLegacyJoin) {

  public static final int DEFAULT_UPLOAD_BUDGET_KBPS = 2500;

  public ServerConfig {
    allowedOrigins = List.copyOf(allowedOrigins);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535");
    }
    if (tls.forceHttps() && !proxied) {
      throw new IllegalArgumentException(
          "--force-https is for --proxied; with --tls-* plain HTTP is redirected anyway");
    }
    if (roomCapacity < 2) {
      throw new IllegalArgumentException("room capacity must be at least 2");
    }
    if (uploadBudgetKbps < 100) {
      throw new IllegalArgumentException("--upload-budget-kbps must be at least 100");
    }
  }

  /** Without the original page's join. */
  public ServerConfig(
      String host,
      int port,
      List<String> allowedOrigins,
      int roomCapacity,
      int maxPayloadBytes,
      boolean proxied,
      PeerJsOptions peerjs,
      IceOptions ice,
      TlsOptions tls,
      SignalingLimits signaling,
      int uploadBudgetKbps) {
    this(
        host,
        port,
        allowedOrigins,
        roomCapacity,
        maxPayloadBytes,
        proxied,
        peerjs,
        ice,
        tls,
        signaling,
        uploadBudgetKbps,
        false);
  }

  /** With the default upload budget. */
  public ServerConfig(
      String host,
      int port,
      List<String> allowedOrigins,
      int roomCapacity,
      int maxPayloadBytes,
      boolean proxied,
      PeerJsOptions peerjs,
      IceOptions ice,
      TlsOptions tls,
      SignalingLimits signaling) {
    this(
        host,
        port,
        allowedOrigins,
        roomCapacity,
        maxPayloadBytes,
        proxied,
        peerjs,
        ice,
        tls,
        signaling,
        DEFAULT_UPLOAD_BUDGET_KBPS);
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
    this(
        host,
        port,
        allowedOrigins,
        roomCapacity,
        maxPayloadBytes,
        proxied,
        peerjs,
        IceOptions.defaults());
  }

  /** With the default signaling limits. */
  public ServerConfig(
      String host,
      int port,
      List<String> allowedOrigins,
      int roomCapacity,
      int maxPayloadBytes,
      boolean proxied,
      PeerJsOptions peerjs,
      IceOptions ice,
      TlsOptions tls) {
    this(
        host,
        port,
        allowedOrigins,
        roomCapacity,
        maxPayloadBytes,
        proxied,
        peerjs,
        ice,
        tls,
        SignalingLimits.DEFAULT);
  }

  /** Without TLS settings: plain HTTP. */
  public ServerConfig(
      String host,
      int port,
      List<String> allowedOrigins,
      int roomCapacity,
      int maxPayloadBytes,
      boolean proxied,
      PeerJsOptions peerjs,
      IceOptions ice) {
    this(
        host,
        port,
        allowedOrigins,
        roomCapacity,
        maxPayloadBytes,
        proxied,
        peerjs,
        ice,
        TlsOptions.off());
  }

  /** Defaults for tests and embedding: loopback, any free port (the STUN responder's too). */
  public static ServerConfig forLoopback() {
    return new ServerConfig(
        "127.0.0.1",
        0,
        List.of(),
        8,
        1_000_000,
        false,
        PeerJsOptions.defaults("/peerjs"),
        IceOptions.forTests());
  }

  public ServerConfig withAllowedOrigins(List<String> origins) {
    return new ServerConfig(
        host,
        port,
        origins,
        roomCapacity,
        maxPayloadBytes,
        proxied,
        peerjs,
        ice,
        tls,
        signaling,
        uploadBudgetKbps,
        allowLegacyJoin);
  }

  public ServerConfig withPeerJs(PeerJsOptions options) {
    return new ServerConfig(
        host,
        port,
        allowedOrigins,
        roomCapacity,
        maxPayloadBytes,
        proxied,
        options,
        ice,
        tls,
        signaling,
        uploadBudgetKbps,
        allowLegacyJoin);
  }

  public ServerConfig withRoomCapacity(int capacity) {
    return new ServerConfig(
        host,
        port,
        allowedOrigins,
        capacity,
        maxPayloadBytes,
        proxied,
        peerjs,
        ice,
        tls,
        signaling,
        uploadBudgetKbps,
        allowLegacyJoin);
  }

  public ServerConfig withIce(IceOptions options) {
    return new ServerConfig(
        host,
        port,
        allowedOrigins,
        roomCapacity,
        maxPayloadBytes,
        proxied,
        peerjs,
        options,
        tls,
        signaling,
        uploadBudgetKbps,
        allowLegacyJoin);
  }

  public ServerConfig withTls(TlsOptions options) {
    return new ServerConfig(
        host,
        port,
        allowedOrigins,
        roomCapacity,
        maxPayloadBytes,
        proxied,
        peerjs,
        ice,
        options,
        signaling,
        uploadBudgetKbps,
        allowLegacyJoin);
  }

  public ServerConfig withProxied(boolean behindProxy) {
    return new ServerConfig(
        host,
        port,
        allowedOrigins,
        roomCapacity,
        maxPayloadBytes,
        behindProxy,
        peerjs,
        ice,
        tls,
        signaling,
        uploadBudgetKbps,
        allowLegacyJoin);
  }

  public ServerConfig withSignaling(SignalingLimits limits) {
    return new ServerConfig(
        host,
        port,
        allowedOrigins,
        roomCapacity,
        maxPayloadBytes,
        proxied,
        peerjs,
        ice,
        tls,
        limits,
        uploadBudgetKbps,
        allowLegacyJoin);
  }

  public ServerConfig withUploadBudgetKbps(int kbps) {
    return new ServerConfig(
        host,
        port,
        allowedOrigins,
        roomCapacity,
        maxPayloadBytes,
        proxied,
        peerjs,
        ice,
        tls,
        signaling,
        kbps,
        allowLegacyJoin);
  }

  public ServerConfig withAllowLegacyJoin(boolean allow) {
    return new ServerConfig(
        host,
        port,
        allowedOrigins,
        roomCapacity,
        maxPayloadBytes,
        proxied,
        peerjs,
        ice,
        tls,
        signaling,
        uploadBudgetKbps,
        allow);
  }
}
