package webcall.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static webcall.support.Http.get;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import webcall.support.ChildProcess;
import webcall.support.Command;
import webcall.support.PeerSocket;

/**
 * deploy/prometheus as an operator uses it: promtool accepts the config and the alert rules, and a
 * real Prometheus (Debian's) scraping a real webcall through a copy of that config reads back what
 * PeerJS peers did.
 */
class PrometheusIT {
  static final Path CONFIG = Path.of("deploy", "prometheus", "prometheus.yml");
  static final Path RULES = Path.of("deploy", "prometheus", "alerts.yml");
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Debian's prometheus package; .ci/run installs it, so in CI its absence is a failure, elsewhere
   * a skip.
   */
  @BeforeAll
  static void needsPrometheus() {
    boolean present =
        Files.isExecutable(Path.of("/usr/bin/promtool"))
            && Files.isExecutable(Path.of("/usr/bin/prometheus"));
    if (!present && "true".equals(System.getenv("CI"))) {
      fail("Debian's prometheus package is missing: .ci/run installs it");
    }
    Assumptions.assumeTrue(
        present, "skipped: no /usr/bin/prometheus and promtool (apt-get install prometheus)");
  }

  @Test
  void promtoolAcceptsTheConfigAndTheRules() throws Exception {
    Command.Result config = Command.run(60, "promtool", "check", "config", CONFIG.toString());
    assertThat(config.exit()).as(config.output()).isZero();
    Command.Result rules = Command.run(60, "promtool", "check", "rules", RULES.toString());
    assertThat(rules.exit()).as(rules.output()).isZero();
    assertThat(rules.output()).contains("SUCCESS: 5 rules found");
  }

  @Test
  void aRealPrometheusReadsWebcallsFigures(@TempDir Path dir) throws Exception {
    try (ChildProcess webcall =
        ChildProcess.start(
            ChildProcess.webcall(
                "--host", "127.0.0.1", "--port", "0", "--stun-port", "0", "--admin-port", "0"),
            Map.of(),
            AdminCommandIT.LISTENING,
            Duration.ofSeconds(60),
            "webcall-for-prometheus")) {
      int admin = AdminCommandIT.adminPort(webcall);
      int port = Integer.parseInt(webcall.readyLine().group(1));
      String config = Files.readString(CONFIG);
      assertThat(config)
          .contains("localhost:9464", "scrape_interval: 15s", "evaluation_interval: 15s");
      Files.writeString(
          dir.resolve("prometheus.yml"),
          config
              .replace("localhost:9464", "127.0.0.1:" + admin)
              .replace("scrape_interval: 15s", "scrape_interval: 1s")
              .replace("evaluation_interval: 15s", "evaluation_interval: 1s"));
      Files.copy(RULES, dir.resolve("alerts.yml"));
      int promPort = freePort();
      Process prometheus =
          new ProcessBuilder(
                  "prometheus",
                  "--config.file=" + dir.resolve("prometheus.yml"),
                  "--storage.tsdb.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + promPort)
              .redirectErrorStream(true)
              .redirectOutput(
                  Files.createTempFile(
                          Files.createDirectories(Path.of("target", "child-logs")),
                          "prometheus-",
                          ".log")
                      .toFile())
              .start();
      try {
        waitFor("Prometheus ready", () -> get(promPort, "/-/ready").statusCode() == 200);
        try (PeerSocket a = peer(port, "prom-a");
            PeerSocket b = peer(port, "prom-b")) {
          assertThat(a.next().get("type").asText()).isEqualTo("OPEN");
          assertThat(b.next().get("type").asText()).isEqualTo("OPEN");
          a.send("{\"type\":\"OFFER\",\"dst\":\"prom-b\",\"payload\":{}}");
          assertThat(b.next().get("type").asText()).isEqualTo("OFFER");
          waitFor(
              "two ids in Prometheus", () -> query(promPort, "webcall_peerjs_ids_registered") == 2);
          waitFor(
              "one OFFER in Prometheus",
              () -> query(promPort, "webcall_peerjs_messages_relayed_total{type=\"OFFER\"}") == 1);
        }
        assertThat(query(promPort, "up{job=\"webcall\"}")).isEqualTo(1);
        assertThat(query(promPort, "webcall_ready")).isEqualTo(1);
        assertThat(query(promPort, "process_files_open_files / process_files_max_files"))
            .isBetween(0.0, 0.8);
        assertThat(query(promPort, "jvm_memory_usage_after_gc{area=\"heap\"}")).isBetween(0.0, 0.9);
        // The rules are loaded, and none fires on a healthy server.
        JsonNode rules = JSON.readTree(get(promPort, "/api/v1/rules").body());
        assertThat(rules.findValuesAsText("name"))
            .contains(
                "WebcallDown",
                "WebcallNotReady",
                "WebcallFileDescriptorsHigh",
                "WebcallRefusalSpike",
                "WebcallHeapAfterGcHigh");
        assertThat(rules.findValuesAsText("state")).doesNotContain("firing");
      } finally {
        prometheus.destroy(); // SIGTERM to the Prometheus this test started, by its PID
        if (!prometheus.waitFor(15, TimeUnit.SECONDS)) {
          prometheus.destroyForcibly();
          prometheus.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  static PeerSocket peer(int port, String id) {
    return PeerSocket.open(
        URI.create(
            "ws://127.0.0.1:"
                + port
                + "/peerjs/peerjs?key=peerjs&id="
                + id
                + "&token=tok&version=1.5.5"));
  }

  /** The value of an instant query's only sample, or NaN while there is none. */
  static double query(int port, String promql) throws Exception {
    HttpResponse<String> res =
        get(port, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonNode result = JSON.readTree(res.body()).path("data").path("result");
    if (result.size() != 1) {
      return Double.NaN;
    }
    return Double.parseDouble(result.get(0).path("value").get(1).asText());
  }

  interface Check {
    boolean ok() throws Exception;
  }

  /** Polls every 250 ms for at most 30 s. */
  static void waitFor(String what, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Exception last = null;
    for (int i = 0; i < 120 && System.nanoTime() < deadline; i++) {
      try {
        if (check.ok()) {
          return;
        }
      } catch (IOException e) {
        last = e; // not listening yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("timed out waiting for " + what, last);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
