package webcall.peerjs;

import java.net.URI;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import webcall.PeerJsState;
import webcall.TestServer;
import webcall.config.ServerConfig;
import webcall.server.WebcallServer;
import webcall.support.PeerSocket;

/**
 * A running PeerJS server under test: standalone ({@code webcall peerjs}) or inside the call
 * server.
 */
interface PeerJsTarget extends AutoCloseable {
  ConcurrentLinkedQueue<Thread> CLOSING = new ConcurrentLinkedQueue<>();

  int port();

  Realm realm();

  PeerJsEndpoint endpoint();

  /** A base path like "/myapp" (as the options have it). */
  String path();

  default URI http(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  /** The PeerJS WebSocket with this query, e.g. "key=peerjs&id=a&token=t". */
  default URI ws(String query) {
    return URI.create("ws://127.0.0.1:" + port() + path() + "/peerjs?" + query);
  }

  /** Connects {@code id} with {@code token} and checks that the server answered OPEN. */
  default PeerSocket open(String id, String token) {
    PeerSocket c = PeerSocket.open(ws("key=peerjs&id=" + id + "&token=" + token));
    String open = c.text();
    if (!"{\"type\":\"OPEN\"}".equals(open)) {
      c.close();
      throw new AssertionError(id + " was not opened: " + open);
    }
    return c;
  }

  @Override
  void close();

  enum Mode {
    STANDALONE,
    EMBEDDED;

    PeerJsTarget start(PeerJsOptions options) {
      return start(options, false);
    }

    PeerJsTarget start(PeerJsOptions options, boolean proxied) {
      return this == STANDALONE ? standalone(options, proxied) : embedded(options, proxied);
    }
  }

  /** A target made of what it answers; both modes differ only in these. */
  private static PeerJsTarget of(
      int port, Realm realm, PeerJsEndpoint endpoint, String path, Runnable close) {
    return new PeerJsTarget() {
      public int port() {
        return port;
      }

      public Realm realm() {
        return realm;
      }

      public PeerJsEndpoint endpoint() {
        return endpoint;
      }

      public String path() {
        return path;
      }

      public void close() {
        close.run();
      }
    };
  }

  private static PeerJsTarget standalone(PeerJsOptions options, boolean proxied) {
    PeerJsServer server =
        new PeerJsServer(
            "127.0.0.1", 0, PeerJsState.inMemory(options, PeerJsMetrics.none()), null, proxied);
    int port = server.start().getPort();
    return of(port, server.realm(), server.endpoint(), options.path(), server::close);
  }

  private static PeerJsTarget embedded(PeerJsOptions options, boolean proxied) {
    ServerConfig loopback = ServerConfig.forLoopback();
    ServerConfig config =
        new ServerConfig(
            loopback.host(),
            0,
            List.of(),
            loopback.roomCapacity(),
            loopback.maxPayloadBytes(),
            proxied,
            options,
            loopback.ice(),
            loopback.tls());
    TestServer running = TestServer.of(config).start();
    WebcallServer server = running.server();
    return of(
        running.port(),
        server.realm(),
        server.peerjs(),
        options.path(),
        () -> {
          // The event loops wait out a quiet period when they stop; the port is free at once, so
          // the next test need not
          // wait. awaitClosed() joins them before the class ends.
          Thread t = new Thread(running::close, "embedded-close");
          t.start();
          CLOSING.add(t);
        });
  }

  /** Waits for embedded servers still shutting down in the background. */
  static void awaitClosed() throws InterruptedException {
    for (Thread t; (t = CLOSING.poll()) != null; ) {
      t.join(30_000);
    }
  }
}
