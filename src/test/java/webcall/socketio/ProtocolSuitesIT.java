package webcall.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import webcall.TestServer;
import webcall.config.ServerConfig;
import webcall.rooms.SignalingLimits;
import webcall.server.WebcallServer;

/**
 * The official Engine.IO and Socket.IO protocol test suites (unmodified copies in
 * ../shared/protocol-suites, see its README), run with mocha against webcall's real pipeline with
 * the suites' handlers, which only tests install. Each suite is copied to target/ with only its URL
 * changed to this server's port.
 */
class ProtocolSuitesIT {
  private static final Path SUITES = Path.of("..", "shared", "protocol-suites");

  /**
   * The Socket.IO suite's own race (its README): "40" and the "auth" event the server emits at once
   * can arrive in one read, and the pinned ws delivers both before the test listens for the second;
   * the test then takes the next ping ("2") for the auth packet (and, as it never answers pings,
   * the session ends by ping timeout before what it waits for next), or waits until mocha's
   * timeout. The reference server loses it too (27-28 of 32). The test handler therefore emits
   * "auth" 20 ms after the connect (all 32 passed in 10 runs here, 5 of them with both cores busy),
   * and the race only strikes a client that stalls that long. Only tests that wait for "auth" right
   * after a CONNECT may fail: the connect tests and every test that starts with the suite's
   * initSocketIOConnection (all of "disconnect" and "message"), and only in one of those ways: a
   * timeout, the ping "2" where it waited for a "42", or, when the lost message shifted its waits
   * past the ping timeout, the "41" that the server sends for each namespace as it closes the
   * session.
   */
  private static final List<String> AUTH_RACE =
      List.of(
          "Socket.IO protocol connect should allow connection to",
          "Socket.IO protocol disconnect should",
          "Socket.IO protocol message should");

  private static final int RACE_ALLOWANCE = 6;

  private static WebcallServer server;

  @BeforeAll
  static void start() {
    boolean ci = "true".equals(System.getenv("CI"));
    if (!Files.isDirectory(SUITES)) {
      if (ci) {
        throw new AssertionError("the protocol suites are missing at " + SUITES.toAbsolutePath());
      }
      assumeTrue(
          false,
          "the protocol suites are not at " + SUITES.toAbsolutePath() + " (outside CI): skipped");
    }
    ServerConfig config =
        ServerConfig.forLoopback()
            .withSignaling(
                SignalingLimits.from(
                    Map.of(
                        "ping-interval-ms",
                        300L,
                        "ping-timeout-ms",
                        200L,
                        "connect-timeout-ms",
                        1_500L)));
    assertThat(config.maxPayloadBytes()).isEqualTo(1_000_000);
    server =
        TestServer.of(config)
            .with(
                new WebcallServer.TestHooks(
                    Map.of("/", SuiteHandlers.NAMESPACE, "/custom", SuiteHandlers.NAMESPACE),
                    Map.of("/engine.io", SuiteHandlers.ECHO),
                    null))
            .start()
            .server();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void engineIoSuitePassesEveryTest() throws Exception {
    JsonNode r = run("engine.io");
    assertThat(failures(r)).as("failed tests").isEmpty();
    assertThat(r.at("/stats/passes").asInt()).isEqualTo(24);
  }

  @Test
  void socketIoSuitePassesEveryTestButTheSuitesOwnRace() throws Exception {
    JsonNode r = run("socket.io");
    List<String> failed = failures(r);
    for (JsonNode f : r.get("failures")) {
      String title = f.get("fullTitle").asText();
      String message = f.at("/err/message").asText();
      boolean race =
          AUTH_RACE.stream().anyMatch(title::startsWith)
              && (message.startsWith("Timeout")
                  || message.startsWith("expected '2' to deeply equal '42")
                  || message.startsWith("expected '41"));
      assertThat(race).as("only the suite's race may fail: %s", failed).isTrue();
    }
    assertThat(r.at("/stats/tests").asInt()).isEqualTo(32);
    assertThat(r.at("/stats/passes").asInt())
        .as("failed: %s", failed)
        .isGreaterThanOrEqualTo(32 - RACE_ALLOWANCE);
  }

  private static List<String> failures(JsonNode r) {
    List<String> out = new ArrayList<>();
    r.get("failures")
        .forEach(f -> out.add(f.get("fullTitle").asText() + ": " + f.at("/err/message").asText()));
    return out;
  }

  /**
   * Copies the suite, points it at this server, runs npm ci and mocha; returns mocha's JSON report.
   */
  private static JsonNode run(String suite) throws IOException, InterruptedException {
    Path dir = Path.of("target", "protocol-suites", suite);
    Files.createDirectories(dir);
    try (var files = Files.list(SUITES.resolve(suite))) {
      for (Path f : files.toList()) {
        Path to = dir.resolve(f.getFileName().toString());
        String text = Files.readString(f, StandardCharsets.UTF_8);
        if (f.getFileName().toString().equals("test-suite.js")) {
          text =
              text.replace(
                  "http://localhost:3000", "http://localhost:" + server.address().getPort());
        }
        Files.writeString(to, text, StandardCharsets.UTF_8);
        to.toFile().setWritable(true);
      }
    }
    if (!Files.isDirectory(dir.resolve("node_modules"))) {
      exec(dir, 300, null, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
    }
    Path report = dir.resolve("report.json");
    exec(
        dir, 300, report.toFile(), "npx", "mocha", "test-suite.js", "--reporter", "json", "--exit");
    return new ObjectMapper().readTree(report.toFile());
  }

  private static void exec(Path dir, int seconds, File out, String... command)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.redirectOutput(
        out != null ? ProcessBuilder.Redirect.to(out) : ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    try {
      assertThat(p.waitFor(seconds, TimeUnit.SECONDS))
          .as("%s ends within %d s", String.join(" ", command), seconds)
          .isTrue();
      if (out == null) {
        assertThat(p.exitValue()).as(String.join(" ", command)).isZero();
      }
    } finally {
      p.destroyForcibly();
    }
  }
}
