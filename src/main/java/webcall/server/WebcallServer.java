package webcall.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import webcall.config.ServerConfig;
import webcall.http.ConnectionLimit;
import webcall.http.HttpsRedirect;
import webcall.http.OriginPolicy;
import webcall.http.StaticFiles;
import webcall.ice.IceApi;
import webcall.ice.StunServer;
import webcall.logging.ClientErrorLog;
import webcall.ops.Metrics;
import webcall.ops.Readiness;
import webcall.peerjs.PeerJsEndpoint;
import webcall.peerjs.Realm;
import webcall.rooms.RoomClock;
import webcall.rooms.RoomDirectory;
import webcall.rooms.RoomMetrics;
import webcall.rooms.RoomSignaling;
import webcall.rooms.RoomsWiring;
import webcall.socketio.EngineHandler;
import webcall.socketio.EngineIoServer;
import webcall.socketio.SocketIoHandler;
import webcall.socketio.SocketIoMetrics;
import webcall.socketio.SocketIoOptions;
import webcall.socketio.SocketIoServer;
import webcall.tls.Certificates;
import webcall.tls.TlsOptions;

/**
 * The call server: pages, Socket.IO rooms and the PeerJS server on one port, in one Netty pipeline.
 */
public final class WebcallServer implements AutoCloseable {
  private static final org.slf4j.Logger log = LoggerFactory.getLogger(WebcallServer.class);
  static final String SOCKET_IO_PATH = "/socket.io";

  private final ServerConfig config;
  private final PeerJsEndpoint peerjs;
  private final RoomDirectory rooms;
  private final RoomSignaling signaling;
  private final EngineIoServer socketIo;
  private final List<EngineIoServer> engines = new ArrayList<>();
  private final ClientErrorLog clientErrors;
  private final WebcallChannelInitializer initializer;
  private final ConnectionLimit connectionLimit;
  private final ScheduledExecutorService timers;
  private final StunServer stun;
  private final RedirectListener redirect;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel listener;
  private InetSocketAddress redirectAddress;
  private InetSocketAddress address;
  private volatile InetSocketAddress stunAddress; // read by I/O threads answering /api/ice
  // --- operations (issue 14): readiness for /readyz; set ready once every listener is bound ---
  private final Readiness readiness = new Readiness(Readiness.STARTING);

  /**
   * @param metrics where every part registers its meters; the caller exposes and closes it (the
   *     realm's meters go to the same registry)
   * @param realm the PeerJS ids, queues and relay as the wiring chose them, for {@code
   *     config.peerjs()}
   * @param rooms the room directory as the wiring chose it, of {@code config.roomCapacity()}
   */
  public WebcallServer(ServerConfig config, Metrics metrics, Realm realm, RoomDirectory rooms) {
    this(config, metrics, realm, RoomsWiring.local(rooms));
  }

  /**
   * @param rooms the rooms as the wiring chose them: one node's, or a cluster's (a shared
   *     directory, events to members on any node, PeerJS ids checked wherever they are connected)
   */
  public WebcallServer(ServerConfig config, Metrics metrics, Realm realm, RoomsWiring rooms) {
    this(config, Map.of(), Map.of(), metrics, realm, rooms, null);
  }

  /**
   * What only tests add; production passes {@link TestHooks#NONE}.
   *
   * @param namespaces Socket.IO namespaces served instead of the rooms (none: the rooms on "/")
   * @param engineEndpoints extra Engine.IO endpoints by path (the protocol suites' echo server)
   * @param testPages a sharable handler just before the router that answers what it wants (the
   *     original Node demo's page, from ../shared) and passes the rest on; or null
   */
  public record TestHooks(
      Map<String, SocketIoHandler> namespaces,
      Map<String, EngineHandler> engineEndpoints,
      ChannelHandler testPages) {
    public static final TestHooks NONE = new TestHooks(Map.of(), Map.of(), null);
  }

  public WebcallServer(
      ServerConfig config, Metrics metrics, Realm realm, RoomDirectory rooms, TestHooks hooks) {
    this(
        config,
        hooks.namespaces(),
        hooks.engineEndpoints(),
        metrics,
        realm,
        RoomsWiring.local(rooms),
        hooks.testPages());
  }

  private WebcallServer(
      ServerConfig config,
      Map<String, SocketIoHandler> namespaces,
      Map<String, EngineHandler> engineEndpoints,
      Metrics metrics,
      Realm realm,
      RoomsWiring rooms,
      ChannelHandler testPages) {
    this.config = config;
    metrics.watch(readiness);
    OriginPolicy origins =
        new OriginPolicy(config.allowedOrigins(), config.proxied(), config.tls().enabled());
    this.peerjs = new PeerJsEndpoint(realm, origins::allows, config.proxied(), List.of());
    this.rooms = rooms.directory();
    this.signaling =
        new RoomSignaling(
            peerjs.realm(),
            rooms,
            config.signaling(),
            new RoomMetrics(metrics.registry()),
            config.allowLegacyJoin(),
            RoomClock.SYSTEM);
    this.clientErrors = new ClientErrorLog(LoggerFactory.getLogger(EngineIoServer.class));
    SocketIoOptions options = socketIoOptions(config);
    Map<String, SocketIoHandler> served =
        namespaces.isEmpty() ? Map.of("/", signaling) : namespaces;
    this.socketIo =
        new EngineIoServer(
            SOCKET_IO_PATH,
            options,
            new SocketIoServer(served, options),
            clientErrors,
            config.proxied(),
            new SocketIoMetrics(metrics.registry()));
    engines.add(socketIo);
    new LinkedHashMap<>(engineEndpoints)
        .forEach(
            (path, handler) ->
                engines.add(
                    new EngineIoServer(path, options, handler, clientErrors, config.proxied())));
    HttpRouter router =
        new HttpRouter(
            SOCKET_IO_PATH, peerjs, StaticFiles.load(), readiness, config.uploadBudgetKbps());
    this.stun =
        config.ice().stunEnabled()
            ? new StunServer(
                config.host(), config.ice().stunPort(), config.ice().stunRepliesPerSecond())
            : null;
    if (stun != null) {
      stun.bindMetrics(metrics.registry());
    }
    IceApi iceApi =
        new IceApi(
            config.ice(),
            () -> stunAddress == null ? -1 : stunAddress.getPort(),
            config.proxied(),
            java.time.Clock.systemUTC(),
            metrics.registry());
    SslContext ssl =
        config.tls().enabled()
            ? Certificates.serverContext(config.tls().certFile(), config.tls().keyFile())
            : null;
    HttpsRedirect httpsRedirect =
        ssl != null
            ? HttpsRedirect.plainConnections()
            : config.tls().forceHttps() ? HttpsRedirect.forwardedHttp() : null;
    this.connectionLimit =
        new ConnectionLimit(config.peerjs().limits().connectionsPerAddress(), config.proxied());
    connectionLimit.bindMetrics(metrics.registry());
    this.initializer =
        new WebcallChannelInitializer(
            origins,
            router,
            iceApi,
            engines,
            ssl,
            httpsRedirect,
            config.peerjs().limits().headerTimeoutMillis(),
            config.maxPayloadBytes(),
            clientErrors,
            connectionLimit,
            config.peerjs().limits().requestTimeoutMillis(),
            testPages);
    this.redirect =
        config.tls().httpRedirectPort() != TlsOptions.OFF
            ? new RedirectListener(config.host(), config.tls().httpRedirectPort(), connectionLimit)
            : null;
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "webcall-timers");
              t.setDaemon(true);
              return t;
            });
  }

  private static SocketIoOptions socketIoOptions(ServerConfig config) {
    var s = config.signaling();
    return new SocketIoOptions(
        s.pingIntervalMillis(),
        s.pingTimeoutMillis(),
        config.maxPayloadBytes(),
        s.connectTimeoutMillis(),
        s.outboundBytes(),
        config.peerjs().limits().fragmentsPerMessage(),
        10_000);
  }

  /**
   * Binds and starts; returns the address actually listened on (the real port when 0 was asked
   * for).
   */
  public InetSocketAddress start() {
    if (stun != null) {
      stunAddress = stun.start(); // before HTTP, so the first page already learns its port
    }
    // Netty's native epoll transport where it loads (Linux): a fifth less heap per idle connection
    // than NIO (no JDK
    // SocketChannel, selection key and locks per socket; see BENCHMARKS.md). One event loop per
    // core instead of
    // Netty's two: relaying is pure CPU work, and more threads only add hand-offs (BENCHMARKS.md).
    boolean epoll = Epoll.isAvailable();
    int threads = Runtime.getRuntime().availableProcessors();
    boss =
        epoll
            ? new EpollEventLoopGroup(1, new DefaultThreadFactory("webcall-accept"))
            : new NioEventLoopGroup(1, new DefaultThreadFactory("webcall-accept"));
    workers =
        epoll
            ? new EpollEventLoopGroup(threads, new DefaultThreadFactory("webcall-io"))
            : new NioEventLoopGroup(threads, new DefaultThreadFactory("webcall-io"));
    try {
      listener =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(initializer)
              .bind(config.host(), config.port())
              .syncUninterruptibly()
              .channel();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    address = (InetSocketAddress) listener.localAddress();
    peerjs.startTimers(timers);
    timers.scheduleAtFixedRate(clientErrors::flush, 1, 1, TimeUnit.SECONDS);
    timers.scheduleAtFixedRate(connectionLimit::flushLog, 1, 1, TimeUnit.SECONDS);
    if (redirect != null) {
      redirectAddress = redirect.start(address.getPort());
    }
    readiness.clear(Readiness.STARTING);
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

  /** The Socket.IO endpoint, for tests that count sessions. */
  public EngineIoServer socketIo() {
    return socketIo;
  }

  public RoomSignaling signaling() {
    return signaling;
  }

  public PeerJsEndpoint peerjs() {
    return peerjs;
  }

  public ConnectionLimit connectionLimit() {
    return connectionLimit;
  }

  public RoomDirectory rooms() {
    return rooms;
  }

  public ServerConfig config() {
    return config;
  }

  /**
   * The drain before a stop: {@code /readyz} says "draining" at once, a new join-room gets {@code
   * draining}, and this waits until no room is left or {@code timeout} has passed, whichever comes
   * first. Everything else goes on as before: the members' events and chat, their PeerJS signaling,
   * new PeerJS and Socket.IO connections (a member whose connection drops comes back with them).
   * {@link #close()} then tells every client 1001. Returns the rooms still open.
   */
  public int drain(Duration timeout) {
    readiness.notReady(Readiness.DRAINING);
    signaling.drain();
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    log.info(
        "event=drain-start rooms={} participants={} timeout_ms={}",
        rooms.roomCount(),
        rooms.memberCount(),
        timeout.toMillis());
    try {
      for (long left; rooms.roomCount() > 0 && (left = deadline - System.nanoTime()) > 0; ) {
        Thread.sleep(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stop waiting: the close that follows ends the calls
    }
    int left = rooms.roomCount();
    log.info(
        "event=drain-end rooms={} participants={} waited_ms={}",
        left,
        rooms.memberCount(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    return left;
  }

  /** Whether this server takes new calls; the admin listener serves it too. */
  public Readiness readiness() {
    return readiness;
  }

  @Override
  public void close() {
    readiness.notReady(Readiness.STOPPING);
    if (listener != null) {
      listener.close().syncUninterruptibly(); // no new connection from here on
    }
    peerjs.stopTimers();
    timers.shutdownNow();
    peerjs.goingAway(); // 1001 to every PeerJS socket
    engines.forEach(
        EngineIoServer
            ::shutdown); // 1001 to every Socket.IO WebSocket; a waiting poll gets the close
    for (EventLoopGroup g : new EventLoopGroup[] {workers, boss}) {
      if (g != null) {
        // A short quiet period: the close frames and last answers above go out, then the threads
        // stop.
        g.shutdownGracefully(100, 2_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
      }
    }
    if (stun != null) {
      stun.close();
    }
    if (redirect != null) {
      redirect.close();
    }
  }
}
