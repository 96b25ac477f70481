package webcall.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's HAProxy running deploy/haproxy/haproxy.cfg unchanged, configured through its environment
 * as an operator would, in the foreground, stopped by its own PID.
 */
public final class Haproxy implements AutoCloseable {
  public static final Path CONFIG = Path.of("deploy", "haproxy", "haproxy.cfg");
  private static final Path BINARY = Path.of("/usr/sbin/haproxy");

  private final Process process;
  private final Path log;
  public final int port;

  private Haproxy(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Fails under CI (.ci/run installs haproxy), skips elsewhere, when HAProxy is not installed. */
  public static void require() {
    boolean present = Files.isExecutable(BINARY);
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("Debian's haproxy package is missing: .ci/run installs it");
    }
    Assumptions.assumeTrue(present, "skipped: no /usr/sbin/haproxy (apt-get install haproxy)");
  }

  /** {@code haproxy -c}: its exit code and output for the config under this environment. */
  public static Command.Result check(Map<String, String> env) throws Exception {
    return Command.runWithEnv(30, env, BINARY.toString(), "-c", "-f", CONFIG.toString());
  }

  /**
   * Starts HAProxy on a free loopback port with {@code env} (WEBCALL_NODE1.., WEBCALL_LB_CERT..)
   * and waits until it accepts connections.
   */
  public static Haproxy start(Map<String, String> env) {
    int port = freePort();
    try {
      Path logs = Path.of("target", "child-logs");
      Files.createDirectories(logs);
      Path log = Files.createTempFile(logs, "haproxy-", ".log");
      ProcessBuilder pb =
          new ProcessBuilder(BINARY.toString(), "-db", "-f", CONFIG.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().putAll(env);
      pb.environment().put("WEBCALL_LB_BIND", "127.0.0.1:" + port);
      pb.environment().put("WEBCALL_LB_LOG", "stdout");
      Haproxy h = new Haproxy(pb.start(), log, port);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!accepts(port)) {
        if (!h.process.isAlive() || System.nanoTime() > deadline) {
          h.close();
          throw new AssertionError("haproxy did not start: " + h.logText());
        }
        Thread.sleep(50);
      }
      return h;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
