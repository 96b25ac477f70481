package webcall.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Debian {@code redis-server} for one test class: on a free port of 127.0.0.1, with nothing
 * saved (no RDB, no AOF) in a temp dir of its own, waited for until it answers PING. It can be
 * stopped and started again on the same port (Redis down, Redis back empty), and is always stopped
 * by its own PID. Without redis-server a test is skipped, except under CI=true, where it fails.
 */
public final class RedisServer implements AutoCloseable {
  private static final Path BINARY = Path.of("/usr/bin/redis-server");

  private final int port;
  private final Path dir;
  private Process process;

  private RedisServer(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  /** Starts one, or skips the test (fails it under CI) when redis-server is not installed. */
  public static RedisServer start() {
    if (!Files.isExecutable(BINARY)) {
      if ("true".equals(System.getenv("CI"))) {
        fail("redis-server is missing: .ci/run installs Debian's redis-server");
      }
      Assumptions.assumeTrue(
          false, "skipped: no /usr/bin/redis-server (apt-get install redis-server)");
    }
    try {
      Path logs = Path.of("target", "child-logs");
      Files.createDirectories(logs);
      RedisServer r = new RedisServer(freePort(), Files.createTempDirectory(logs, "redis-"));
      r.startAgain();
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  /** redis://127.0.0.1:port, for --redis-url. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server (again, empty) on its port and waits until it answers PING. */
  public synchronized void startAgain() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("already running");
    }
    List<String> cmd =
        List.of(
            BINARY.toString(),
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            dir.toAbsolutePath().toString(),
            "--daemonize",
            "no",
            "--logfile",
            dir.resolve("redis.log").toAbsolutePath().toString());
    try {
      process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    // Bounded: 20 s of attempts at most, ~50 ms apart (a restart may find the port in TIME_WAIT).
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        // The port may have been taken by another process between freePort and the start.
        throw new AssertionError("redis-server ended at start: " + log());
      }
      if ("+PONG".equals(command("PING"))) {
        return;
      }
      try {
        Thread.sleep(50); // polling a starting process: not a correctness wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    stop();
    throw new AssertionError("redis-server did not answer PING within 20 s: " + log());
  }

  /**
   * One inline command's first reply line (e.g. "+PONG", ":3"), or null when nothing answers.
   * Arguments must not hold spaces.
   */
  public String command(String inline) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c; (c = in.read()) != -1 && c != '\n'; ) {
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    } catch (IOException e) {
      return null;
    }
  }

  /** Stops the server by its PID (SIGTERM, then SIGKILL after 10 s); the port stays its own. */
  public synchronized void stop() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temp dir under target/ is harmless
    }
  }
}
