package webcall.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The reference PeerJS server: the {@code peerjs} command of the {@code peer} 1.0.2 package (what
 * the original Node system mounts), pinned in src/test/reference and installed there by the Maven
 * build, started as users of the original start it: {@code peerjs --port N --key peerjs --path
 * /peerjs}.
 */
public final class ReferenceNode {
  private static final Path CLI =
      Path.of("src/test/reference/node_modules/peer/dist/bin/peerjs.js");
  private static final Pattern READY =
      Pattern.compile("^Started PeerServer on .*, port: (\\d+), path: .*");

  private ReferenceNode() {}

  /**
   * Starts the reference on a free loopback port with the given mount path; returns once it says it
   * started.
   */
  public static ChildProcess start(String path) {
    return start(path, new String[0]);
  }

  /**
   * As {@link #start(String)}, with more flags after the usual ones (e.g. {@code --cors ORIGIN}).
   */
  public static ChildProcess start(String path, String... more) {
    if (!Files.isRegularFile(CLI)) {
      throw new AssertionError(
          CLI + " is missing: the build's npm ci in src/test/reference did not run");
    }
    int port = freePort();
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                "node",
                CLI.toString(),
                "--port",
                Integer.toString(port),
                "--host",
                "127.0.0.1",
                "--key",
                "peerjs",
                "--path",
                path));
    command.addAll(List.of(more));
    return ChildProcess.start(command, Map.of(), READY, Duration.ofSeconds(60), "reference-peer");
  }

  /** The port the reference server printed. */
  public static int port(ChildProcess reference) {
    return Integer.parseInt(reference.readyLine().group(1));
  }

  private static int freePort() {
    // The reference prints the port it was given, so it cannot be told to pick one: find a free one
    // for it.
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
