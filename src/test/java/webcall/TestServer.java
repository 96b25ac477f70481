package webcall;

import java.net.URI;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import webcall.config.ServerConfig;
import webcall.ops.Metrics;
import webcall.peerjs.PeerJsMetrics;
import webcall.server.WebcallServer;

/**
 * A real webcall server on a free loopback port, from any {@link ServerConfig} (TLS, TURN, limits,
 * ...): as a JUnit extension ({@code @RegisterExtension static final TestServer server = new
 * TestServer(c -> ...)}, started before the class and stopped after), or started by hand ({@code
 * TestServer.of(config).start()}, in a {@code @BeforeAll} or a try-with-resources). Its URLs follow
 * the config: https and wss when it serves TLS.
 */
public final class TestServer implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
  private final ServerConfig config;
  private final Metrics metrics;
  private final WebcallServer.TestHooks hooks;
  private WebcallServer server;

  /** The loopback defaults ({@link ServerConfig#forLoopback()}). */
  public TestServer() {
    this(c -> c);
  }

  /** The loopback defaults, changed by {@code customise}. */
  public TestServer(UnaryOperator<ServerConfig> customise) {
    this(customise.apply(ServerConfig.forLoopback()), null, WebcallServer.TestHooks.NONE);
  }

  private TestServer(ServerConfig config, Metrics metrics, WebcallServer.TestHooks hooks) {
    this.config = config;
    this.metrics = metrics;
    this.hooks = hooks;
  }

  /** Exactly this config (give it port 0 for a free port). */
  public static TestServer of(ServerConfig config) {
    return new TestServer(config, null, WebcallServer.TestHooks.NONE);
  }

  /**
   * This config, with its meters in {@code metrics} (e.g. {@code Metrics.prometheus()} for an admin
   * listener).
   */
  public static TestServer of(ServerConfig config, Metrics metrics) {
    return new TestServer(config, metrics, WebcallServer.TestHooks.NONE);
  }

  /**
   * The same server with test-only parts: Socket.IO namespaces instead of the rooms, extra
   * Engine.IO endpoints (the protocol suites) or a handler before the router (the seed's page).
   */
  public TestServer with(WebcallServer.TestHooks testHooks) {
    return new TestServer(config, metrics, testHooks);
  }

  /** Builds and starts the server; returns this. */
  public TestServer start() {
    Metrics meters = metrics == null ? Metrics.disabled() : metrics;
    PeerJsMetrics peerJsMetrics =
        metrics == null ? PeerJsMetrics.none() : new PeerJsMetrics(metrics.registry());
    server =
        new WebcallServer(
            config,
            meters,
            PeerJsState.inMemory(config.peerjs(), peerJsMetrics),
            RoomsState.inMemory(config.roomCapacity()),
            hooks);
    server.start();
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }

  public WebcallServer server() {
    return server;
  }

  public int port() {
    return server.address().getPort();
  }

  private boolean tls() {
    return config.tls() != null && config.tls().enabled();
  }

  /** {@code http://127.0.0.1:PORT/path}, or https with TLS. */
  public URI http(String path) {
    return URI.create((tls() ? "https" : "http") + "://127.0.0.1:" + port() + path);
  }

  /** {@code ws://127.0.0.1:PORT/path?query}, or wss with TLS. */
  public URI ws(String pathAndQuery) {
    return URI.create((tls() ? "wss" : "ws") + "://127.0.0.1:" + port() + pathAndQuery);
  }
}
