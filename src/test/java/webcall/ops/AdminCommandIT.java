package webcall.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static webcall.support.Http.get;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import webcall.support.ChildProcess;
import webcall.support.PeerSocket;
import webcall.support.PrometheusText;

/**
 * {@code --admin-port} / {@code WEBCALL_ADMIN_PORT} on both commands, as an operator starts them.
 */
class AdminCommandIT {
  static final Pattern ADMIN =
      Pattern.compile("^Admin listener on http://127\\.0\\.0\\.1:(\\d+)/metrics");
  static final Pattern LISTENING = Pattern.compile("^webcall listening on http://\\S+:(\\d+)$");
  static final Pattern STARTED =
      Pattern.compile("^Started PeerServer on \\S+, port: (\\d+), path: \\S+$");

  static int adminPort(ChildProcess p) {
    for (String line : p.stdout()) {
      Matcher m = ADMIN.matcher(line);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    throw new AssertionError("no admin line in " + p.stdout());
  }

  @Test
  void theCallServerServesMetricsOnTheAdminPortFromTheEnvironment() throws Exception {
    try (ChildProcess p =
        ChildProcess.start(
            ChildProcess.webcall("--host", "127.0.0.1", "--port", "0", "--stun-port", "0"),
            Map.of("WEBCALL_ADMIN_PORT", "0"),
            LISTENING,
            Duration.ofSeconds(60),
            "webcall-admin")) {
      int admin = adminPort(p);
      int port = Integer.parseInt(p.readyLine().group(1));
      assertThat(get(admin, "/readyz").body()).isEqualTo("{\"ready\":true}");
      assertThat(get(admin, "/healthz").statusCode()).isEqualTo(200);
      String metrics = get(admin, "/metrics").body();
      assertThat(metrics)
          .contains(
              "webcall_peerjs_sockets_open",
              "webcall_stun_requests_total",
              "webcall_ice_api_requests_total",
              "process_files_max_files",
              "jvm_memory_used_bytes",
              "webcall_ready 1",
              "webcall_socketio_connections_open",
              "webcall_socketio_disconnections_total",
              "webcall_rooms_open",
              "webcall_rooms_participants",
              "webcall_rooms_join_refusals_total",
              "webcall_connections_refused_total{limit=\"connections_per_address\"}",
              "webcall_connections_refused_total{limit=\"peerjs_sockets_per_address\"}");
      assertThat(get(port, "/metrics").statusCode()).isEqualTo(404);
      assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void webcallPeerjsHasTheSamePeerJsMetrics() throws Exception {
    try (ChildProcess p =
        ChildProcess.start(
            ChildProcess.webcall(
                "peerjs", "--host", "127.0.0.1", "--port", "0", "--admin-port", "0"),
            Map.of(),
            STARTED,
            Duration.ofSeconds(60),
            "webcall-peerjs-admin")) {
      int admin = adminPort(p);
      int port = Integer.parseInt(p.readyLine().group(1));
      try (PeerSocket a =
          PeerSocket.open(
              URI.create(
                  "ws://127.0.0.1:"
                      + port
                      + "/peerjs?key=peerjs&id=alpha&token=t1&version=1.5.5"))) {
        assertThat(a.next().get("type").asText()).isEqualTo("OPEN");
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  List<PrometheusText.Sample> s =
                      PrometheusText.parse(get(admin, "/metrics").body());
                  assertThat(PrometheusText.value(s, "webcall_peerjs_ids_registered"))
                      .isEqualTo(1.0);
                  assertThat(PrometheusText.value(s, "webcall_peerjs_sockets_open")).isEqualTo(1.0);
                  assertThat(PrometheusText.value(s, "process_files_open_files")).isPositive();
                  assertThat(
                          PrometheusText.value(
                              s,
                              "webcall_connections_refused_total",
                              "limit",
                              "connections_per_address"))
                      .isZero();
                  assertThat(
                          PrometheusText.value(
                              s,
                              "webcall_connections_refused_total",
                              "limit",
                              "peerjs_sockets_per_address"))
                      .isZero();
                });
      }
      assertThat(get(admin, "/readyz").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void withoutTheFlagThereIsNoAdminListener() {
    try (ChildProcess p =
        ChildProcess.start(
            ChildProcess.webcall("peerjs", "--host", "127.0.0.1", "--port", "0"),
            Map.of(),
            STARTED,
            Duration.ofSeconds(60),
            "webcall-peerjs-no-admin")) {
      assertThat(p.stdout()).noneMatch(line -> line.startsWith("Admin listener"));
    }
  }
}
