package webcall.ice;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import webcall.support.Command;

/**
 * Debian's coturn on 127.0.0.1, for the duration of a test: either a test configuration that shares
 * the given secrets and allows loopback peers (the browsers and the relay are all on this machine),
 * or the repository's sample configuration with only what a local run must change.
 */
final class Coturn implements AutoCloseable {
  static final Path SAMPLE = Path.of("deploy/coturn/turnserver.conf");

  final int port;
  final Path dir;
  private final Process process;

  /** The test configuration: use-auth-secret with these secrets, loopback peers allowed. */
  Coturn(String... secrets) throws Exception {
    this(testConfig(secrets), List.of());
  }

  /**
   * The test configuration, each TURN session held to {@code maxBytesPerSecond} (coturn drops the
   * rest).
   */
  static Coturn limited(int maxBytesPerSecond, String... secrets) throws Exception {
    return new Coturn(testConfig(secrets), List.of("--max-bps", String.valueOf(maxBytesPerSecond)));
  }

  /**
   * The sample configuration as shipped; the command line adds loopback addresses, ports, a log and
   * the secrets.
   */
  static Coturn sample(String... secrets) throws Exception {
    List<String> args =
        new ArrayList<>(List.of("--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1"));
    for (String s : secrets) {
      args.addAll(List.of("--static-auth-secret", s));
    }
    return new Coturn(Files.readString(SAMPLE), args);
  }

  private static String testConfig(String... secrets) {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "listening-ip=127.0.0.1",
                "relay-ip=127.0.0.1",
                "allow-loopback-peers", // the browsers are on loopback too; the sample
                // configuration denies this
                "no-tls",
                "no-dtls",
                "no-tcp-relay",
                "no-multicast-peers",
                "use-auth-secret",
                "realm=webcall.test",
                "fingerprint",
                "no-cli",
                "no-rfc5780",
                "no-stun-backward-compatibility"));
    for (String s : secrets) {
      lines.add("static-auth-secret=" + s);
    }
    return String.join("\n", lines) + "\n";
  }

  private Coturn(String config, List<String> extraArgs) throws Exception {
    port = freePort();
    dir = Files.createTempDirectory("webcall-coturn");
    int relayLow = freePort();
    // Local settings last: coturn lets a later line win for single-valued options.
    String conf =
        config
            + String.join(
                "\n",
                "",
                "listening-port=" + port,
                // A narrow relay range near a port we know was free keeps it away from other tests'
                // ports.
                "min-port=" + Math.min(relayLow, 65000),
                "max-port=" + Math.min(relayLow + 200, 65535),
                "log-file=" + dir.resolve("turnserver.log"),
                "simple-log",
                "pidfile=" + dir.resolve("turnserver.pid"),
                "userdb=" + dir.resolve("turndb"),
                "");
    Path file = dir.resolve("turnserver.conf");
    Files.writeString(file, conf, StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>(List.of("turnserver", "-c", file.toString()));
    command.addAll(extraArgs);
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("turnserver.out").toFile())
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline && process.isAlive() && !listening()) {
      Thread.sleep(100);
    }
    if (!process.isAlive() || !listening()) {
      String log = log();
      close();
      throw new IllegalStateException("coturn did not start:\n" + log);
    }
  }

  /**
   * Runs coturn's test client against this server: two clients that each allocate a relay and send
   * each other packets through both relays (-y). Returns its exit code (0 when every step worked)
   * and output.
   */
  Client client(String username, String password) throws Exception {
    Command.Result r =
        Command.run(
            60,
            "turnutils_uclient",
            "-y",
            "-n",
            "3",
            "-m",
            "1",
            "-u",
            username,
            "-w",
            password,
            "-p",
            String.valueOf(port),
            "127.0.0.1");
    return new Client(r.exit(), r.output());
  }

  record Client(int exit, String output) {}

  String url() {
    return "turn:127.0.0.1:" + port + "?transport=udp";
  }

  String log() {
    StringBuilder b = new StringBuilder();
    for (String name : List.of("turnserver.out", "turnserver.log")) {
      try {
        b.append(Files.readString(dir.resolve(name)));
      } catch (IOException e) {
        b.append("(no ").append(name).append(")\n");
      }
    }
    return b.toString();
  }

  /** coturn's TCP listener comes up with the UDP one; a TCP connect is a cheap readiness probe. */
  private boolean listening() {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static int freePort() throws IOException {
    for (int i = 0; i < 50; i++) {
      try (ServerSocket tcp = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
        int p = tcp.getLocalPort();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", p))) {
          return p;
        } catch (IOException taken) {
          // UDP side busy: try another
        }
      }
    }
    throw new IOException("no free port");
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
