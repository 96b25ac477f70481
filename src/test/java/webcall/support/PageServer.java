package webcall.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * Serves the peerjs test page on 127.0.0.1 from a JDK HttpServer: the standalone PeerJS server
 * serves no pages, and the reference server's pages are not ours. The page then talks to the PeerJS
 * server on another port, cross-origin, as a page on another site would.
 */
public final class PageServer implements AutoCloseable {
  /** What is served: URL path to class-path resource and content type. */
  private static final Map<String, String[]> FILES =
      Map.of(
          "/index.html", new String[] {"peerjs-client/index.html", "text/html; charset=utf-8"},
          "/client.js", new String[] {"peerjs-client/client.js", "text/javascript; charset=utf-8"},
          // The peerjs 1.5.5 build that the jar serves (copied from frontend/node_modules at build
          // time).
          "/peerjs.min.js",
              new String[] {"static/vendor/peerjs.min.js", "text/javascript; charset=utf-8"});

  private final HttpServer server;

  private PageServer(HttpServer server) {
    this.server = server;
  }

  public static PageServer start() {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      server.createContext(
          "/",
          exchange -> {
            try (exchange) {
              String[] file = FILES.get(exchange.getRequestURI().getPath());
              byte[] body = file == null ? null : read(file[0]);
              if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
              }
              exchange.getResponseHeaders().set("Content-Type", file[1]);
              exchange.getResponseHeaders().set("Cache-Control", "no-store");
              exchange.sendResponseHeaders(200, body.length);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
              }
            }
          });
      server.start();
      return new PageServer(server);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] read(String resource) throws IOException {
    try (InputStream in = PageServer.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? null : in.readAllBytes();
    }
  }

  /** The test page, pointed at a PeerJS server on 127.0.0.1. */
  public String page(int peerPort, String peerPath, String key) {
    return "http://127.0.0.1:"
        + server.getAddress().getPort()
        + "/index.html?host=127.0.0.1&port="
        + peerPort
        + "&path="
        + peerPath
        + "&key="
        + key;
  }

  /** This server's origin, as a browser names it in the Origin header of the pages it serves. */
  public String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
