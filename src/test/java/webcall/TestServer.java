package webcall;

import java.net.URI;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import webcall.config.ServerConfig;
import webcall.server.WebcallServer;

/** Starts a real webcall server on a free loopback port for a test class, and stops it after. */
public final class TestServer implements BeforeAllCallback, AfterAllCallback {
  private final UnaryOperator<ServerConfig> customise;
  private WebcallServer server;

  public TestServer() {
    this(c -> c);
  }

  public TestServer(UnaryOperator<ServerConfig> customise) {
    this.customise = customise;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server = new WebcallServer(customise.apply(ServerConfig.forLoopback()));
    server.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    server.close();
  }

  public WebcallServer server() {
    return server;
  }

  public int port() {
    return server.address().getPort();
  }

  public URI http(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  public URI ws(String pathAndQuery) {
    return URI.create("ws://127.0.0.1:" + port() + pathAndQuery);
  }
}
