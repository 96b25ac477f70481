package webcall.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The original Node system (shared/reference-node: Express + Socket.IO + {@code peer} 1.0.2 mounted at /peerjs, key
 * "peerjs"), run as its own process for side-by-side comparisons. It is found through the system property
 * {@code webcall.reference}, the variable {@code WEBCALL_REFERENCE_NODE}, or as shared/reference-node beside the
 * repository (where CI puts it). Its node_modules must be installed ({@code npm ci} there; .ci/run does it).
 */
public final class ReferenceNode {
  private static final Pattern READY = Pattern.compile("^READY http://127\\.0\\.0\\.1:(\\d+) pid=\\d+$");

  private ReferenceNode() {}

  public static Path locate() {
    List<Path> candidates = new ArrayList<>();
    String property = System.getProperty("webcall.reference");
    String env = System.getenv("WEBCALL_REFERENCE_NODE");
    if (property != null && !property.isBlank()) {
      candidates.add(Path.of(property));
    }
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    Path repo = Path.of("").toAbsolutePath();
    candidates.add(repo.resolveSibling("shared").resolve("reference-node"));
    candidates.add(repo.getParent() == null ? repo : repo.getParent().resolveSibling("shared").resolve("reference-node"));
    for (Path p : candidates) {
      if (Files.isRegularFile(p.resolve("server.js"))) {
        if (!Files.isDirectory(p.resolve("node_modules").resolve("peer"))) {
          throw new AssertionError("the reference server at " + p + " has no node_modules: run `npm ci` there");
        }
        return p;
      }
    }
    throw new AssertionError(
        "shared/reference-node not found (tried " + candidates + "); set WEBCALL_REFERENCE_NODE to it");
  }

  /** Starts {@code node server.js} on a free loopback port; returns the process once it printed READY. */
  public static ChildProcess start() {
    Path dir = locate();
    int port = freePort();
    return ChildProcess.start(
        List.of(
            "node", dir.resolve("server.js").toString(), "--port", Integer.toString(port), "--host", "127.0.0.1"),
        Map.of(),
        READY,
        Duration.ofSeconds(60),
        "reference-node");
  }

  /** The port the reference server printed. */
  public static int port(ChildProcess reference) {
    return Integer.parseInt(reference.readyLine().group(1));
  }

  private static int freePort() {
    // server.js prints the port it was given, so it cannot be told to pick one: find a free one for it.
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
