package webcall.config;

import java.util.List;
import java.util.function.Consumer;
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

  /**
   * With the defaults for the rest: signaling limits, upload budget, no legacy join (change them
   * with the {@code with} methods).
   */
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
        SignalingLimits.DEFAULT,
        DEFAULT_UPLOAD_BUDGET_KBPS,
        false);
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
        IceOptions.forTests(),
        TlsOptions.off());
  }

  public ServerConfig withAllowedOrigins(List<String> origins) {
    return with(c -> c.allowedOrigins = origins);
  }

  public ServerConfig withPeerJs(PeerJsOptions options) {
    return with(c -> c.peerjs = options);
  }

  public ServerConfig withRoomCapacity(int capacity) {
    return with(c -> c.roomCapacity = capacity);
  }

  public ServerConfig withIce(IceOptions options) {
    return with(c -> c.ice = options);
  }

  public ServerConfig withTls(TlsOptions options) {
    return with(c -> c.tls = options);
  }

  public ServerConfig withProxied(boolean behindProxy) {
    return with(c -> c.proxied = behindProxy);
  }

  public ServerConfig withSignaling(SignalingLimits limits) {
    return with(c -> c.signaling = limits);
  }

  public ServerConfig withUploadBudgetKbps(int kbps) {
    return with(c -> c.uploadBudgetKbps = kbps);
  }

  public ServerConfig withAllowLegacyJoin(boolean allow) {
    return with(c -> c.allowLegacyJoin = allow);
  }

  /** A copy with one setting changed by {@code change}, checked again as a new record. */
  private ServerConfig with(Consumer<Copy> change) {
    Copy c = new Copy(this);
    change.accept(c);
    return new ServerConfig(
        c.host,
        c.port,
        c.allowedOrigins,
        c.roomCapacity,
        c.maxPayloadBytes,
        c.proxied,
        c.peerjs,
        c.ice,
        c.tls,
        c.signaling,
        c.uploadBudgetKbps,
        c.allowLegacyJoin);
  }

  /** The record's components, changeable one at a time by the {@code with} methods. */
  private static final class Copy {
    String host;
    int port;
    List<String> allowedOrigins;
    int roomCapacity;
    int maxPayloadBytes;
    boolean proxied;
    PeerJsOptions peerjs;
    IceOptions ice;
    TlsOptions tls;
    SignalingLimits signaling;
    int uploadBudgetKbps;
    boolean allowLegacyJoin;

    Copy(ServerConfig c) {
      host = c.host;
      port = c.port;
      allowedOrigins = c.allowedOrigins;
      roomCapacity = c.roomCapacity;
      maxPayloadBytes = c.maxPayloadBytes;
      proxied = c.proxied;
      peerjs = c.peerjs;
      ice = c.ice;
      tls = c.tls;
      signaling = c.signaling;
      uploadBudgetKbps = c.uploadBudgetKbps;
      allowLegacyJoin = c.allowLegacyJoin;
    }
  }
}
