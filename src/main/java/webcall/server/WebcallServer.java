package webcall.server;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.HttpRequestDecoderConfiguration;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.listener.DefaultExceptionListener;
import com.corundumstudio.socketio.protocol.JacksonJsonSupport;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.corundumstudio.socketio.transport.NamespaceClient;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.config.ServerConfig;
import webcall.http.HttpRouter;
import webcall.http.HttpsRedirect;
import webcall.http.OriginPolicy;
import webcall.http.StaticFiles;
import webcall.ice.IceApi;
import webcall.ice.StunServer;
import webcall.peerjs.PeerJsEndpoint;
import webcall.peerjs.Realm;
import webcall.rooms.RoomSignaling;
import webcall.rooms.Rooms;
import webcall.tls.Certificates;
import webcall.tls.TlsOptions;

/** The call server: pages, Socket.IO rooms and the PeerJS server on one port, in one Netty pipeline. */
public final class WebcallServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebcallServer.class);
  static final String SOCKET_IO_PATH = "/socket.io";

  private final ServerConfig config;
  private final PeerJsEndpoint peerjs;
  private final Rooms rooms;
  private final RoomSignaling signaling;
  private final SocketIOServer io;
  private final ScheduledExecutorService timers;
  private final StunServer stun;
  private final RedirectListener redirect;
  private InetSocketAddress redirectAddress;
  private InetSocketAddress address;
  private volatile InetSocketAddress stunAddress; // read by I/O threads answering /api/ice

  public WebcallServer(ServerConfig config) {
    this.config = config;
    OriginPolicy origins = new OriginPolicy(config.allowedOrigins(), config.proxied(), config.tls().enabled());
    this.peerjs = new PeerJsEndpoint(config.peerjs(), origins::allows, config.proxied());
    this.rooms = new Rooms(config.roomCapacity());
    this.io = new SocketIOServer(socketIoConfiguration(config));
    HttpRouter router = new HttpRouter(SOCKET_IO_PATH, peerjs, StaticFiles.load(), config.uploadBudgetKbps());
    this.stun = config.ice().stunEnabled()
        ? new StunServer(config.host(), config.ice().stunPort(), config.ice().stunRepliesPerSecond())
        : null;
    IceApi iceApi = new IceApi(config.ice(), () -> stunAddress == null ? -1 : stunAddress.getPort(),
        config.proxied(), java.time.Clock.systemUTC());
    SslContext ssl = config.tls().enabled()
        ? Certificates.serverContext(config.tls().certFile(), config.tls().keyFile())
        : null;
    HttpsRedirect httpsRedirect = ssl != null
        ? HttpsRedirect.plainConnections()
        : config.tls().forceHttps() ? HttpsRedirect.forwardedHttp() : null;
    io.setPipelineFactory(
        new WebcallChannelInitializer(SOCKET_IO_PATH, origins, router, iceApi, ssl, httpsRedirect,
            config.peerjs().limits().headerTimeoutMillis()));
    this.redirect = config.tls().httpRedirectPort() != TlsOptions.OFF
        ? new RedirectListener(config.host(), config.tls().httpRedirectPort())
        : null;
    signaling = new RoomSignaling(io, peerjs.realm(), rooms, config.signaling());
    signaling.install();
    io.addDisconnectListener(WebcallServer::endSession);
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "webcall-timers");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * What netty-socketio leaves undone when a session has left its last namespace:
   *
   * <ul>
   *   <li>it forgets the session but leaves its ping timers running, and they hold all of it (handshake, headers,
   *       queues) until they fire: up to ping interval + timeout later. Its own goodbye ("close") then no longer finds
   *       the session, so nothing else stops them;
   *   <li>a poll the client left waiting is never answered, and holds its connection until the client gives up on it
   *       (socket.io-client in Node never does). It gets a NOOP, as the reference Engine.IO server ends it.
   * </ul>
   */
  private static void endSession(SocketIOClient client) {
    if (!(client instanceof NamespaceClient c) || !c.getBaseClient().getNamespaces().isEmpty()) {
      return;
    }
    ClientHead session = c.getBaseClient();
    session.cancelPing();
    session.cancelPingTimeout();
    if (session.getCurrentTransport() == Transport.POLLING) {
      // Written only if a poll holds a connection now; otherwise it stays in the queue, which goes with the session.
      session.send(new Packet(PacketType.NOOP, session.getEngineIOVersion()), Transport.POLLING);
    }
  }

  private static Configuration socketIoConfiguration(ServerConfig config) {
    Configuration c = new Configuration();
    c.setHostname(config.host());
    c.setPort(config.port());
    c.setContext(SOCKET_IO_PATH);
    c.setAllowCustomRequests(true); // pages, assets and PeerJS share the pipeline
    c.setWebsocketCompression(false); // 5 000 idle clients: 197 MB RSS off vs 659 MB on
    c.setHttpCompression(false);
    c.setMaxFramePayloadLength(config.maxPayloadBytes());
    c.setMaxHttpContentLength(config.maxPayloadBytes());
    c.setHttpRequestDecoderConfiguration(new HttpRequestDecoderConfiguration(8192, 8192, 8192));
    c.setPingInterval(Math.toIntExact(config.signaling().pingIntervalMillis()));
    c.setPingTimeout(Math.toIntExact(config.signaling().pingTimeoutMillis()));
    c.setAckMode(AckMode.MANUAL);
    c.setJsonSupport(new LimitedJsonSupport());
    c.setAddVersionHeader(false);
    c.setBossThreads(1);
    // Netty's native epoll transport where it loads (Linux): a fifth less heap per idle connection than NIO
    // (no JDK SocketChannel, selection key and locks per socket; see BENCHMARKS.md)
    c.setUseLinuxNativeEpoll(Epoll.isAvailable());
    // One event loop per core instead of Netty's two: relaying is pure CPU work, and the extra threads only add
    // hand-offs between threads (relay CPU per message 15 → 13 µs on 2 cores, see BENCHMARKS.md)
    c.setWorkerThreads(Runtime.getRuntime().availableProcessors());
    c.setRandomSession(true);
    SocketConfig socket = new SocketConfig();
    socket.setReuseAddress(true);
    socket.setTcpNoDelay(true);
    c.setSocketConfig(socket);
    c.setExceptionListener(
        new DefaultExceptionListener() {
          @Override
          public boolean exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
            log.info("event=connection-error remote={} error={}", ctx.channel().remoteAddress(), e.toString());
            ctx.close();
            return true;
          }
        });
    return c;
  }

  /** Socket.IO's JSON with the limits of docs/limits.md: deep nesting and huge strings are refused while parsing. */
  private static final class LimitedJsonSupport extends JacksonJsonSupport {
    @Override
    protected void init(ObjectMapper objectMapper) {
      super.init(objectMapper);
      objectMapper
          .getFactory()
          .setStreamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(100_000).build());
    }
  }

  /** Binds and starts; returns the address actually listened on (the real port when 0 was asked for). */
  public InetSocketAddress start() {
    if (stun != null) {
      stunAddress = stun.start(); // before HTTP, so the first page already learns its port
    }
    ChannelFuture bound = (ChannelFuture) io.startAsync().syncUninterruptibly();
    address = (InetSocketAddress) bound.channel().localAddress();
    peerjs.startTimers(timers);
    if (redirect != null) {
      redirectAddress = redirect.start(address.getPort());
    }
    return address;
  }

  public InetSocketAddress address() {
    return address;
  }

  /** The plain-HTTP redirect listener's address, or null when there is none. */
  public InetSocketAddress redirectAddress() {
    return redirectAddress;
  }

  /** The STUN responder's UDP address, or null when it is off. */
  public InetSocketAddress stunAddress() {
    return stunAddress;
  }

  public Realm realm() {
    return peerjs.realm();
  }

  public RoomSignaling signaling() {
    return signaling;
  }

  public PeerJsEndpoint peerjs() {
    return peerjs;
  }

  public Rooms rooms() {
    return rooms;
  }

  public ServerConfig config() {
    return config;
  }

  @Override
  public void close() {
    peerjs.stopTimers();
    timers.shutdownNow();
    peerjs.goingAway();
    if (address != null) {
      io.stop(); // netty-socketio cannot stop what never started (e.g. the STUN port was taken)
    }
    if (stun != null) {
      stun.close();
    }
    if (redirect != null) {
      redirect.close();
    }
  }
}
