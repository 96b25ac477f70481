package webcall.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import webcall.TestServer;
import webcall.rooms.RoomId;

/**
 * {@code /healthz} and {@code /readyz} on the main port, answered before the room route; the names
 * are no rooms.
 */
class HealthIT {
  @RegisterExtension static final TestServer server = new TestServer();

  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.http(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthzSaysOkAsJsonNotACallPage() throws Exception {
    HttpResponse<String> res = get("/healthz");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).isEqualTo("{\"status\":\"ok\"}");
    assertThat(res.headers().firstValue("Content-Type"))
        .get()
        .asString()
        .startsWith("application/json");
    assertThat(res.headers().firstValue("Cache-Control")).hasValue("no-store");
    HttpResponse<Void> head =
        http.send(
            HttpRequest.newBuilder(server.http("/healthz"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(head.statusCode()).isEqualTo(200);
  }

  @Test
  void readyzIsReadyOnceStartedAnd503WithTheReasonsWhileNot() throws Exception {
    HttpResponse<String> ready = get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("{\"ready\":true}");

    Readiness readiness = server.server().readiness();
    readiness.notReady(Readiness.DRAINING);
    readiness.notReady("redis");
    try {
      HttpResponse<String> notReady = get("/readyz");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body())
          .isEqualTo(
              "{\"ready\":false,\"reason\":\"draining\",\"reasons\":[\"draining\",\"redis\"]}");
      // Liveness is not readiness: the process still serves.
      assertThat(get("/healthz").statusCode()).isEqualTo(200);
    } finally {
      readiness.clear(Readiness.DRAINING);
      readiness.clear("redis");
    }
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void aNewServerIsNotReadyUntilStarted() {
    Readiness fresh = new Readiness(Readiness.STARTING);
    assertThat(fresh.isReady()).isFalse();
    assertThat(fresh.reasons()).containsExactly("starting");
    fresh.clear(Readiness.STARTING);
    assertThat(fresh.isReady()).isTrue();
  }

  @Test
  void theOperatorPathsAreNoRoomIds() throws Exception {
    for (String reserved : new String[] {"healthz", "readyz", "metrics"}) {
      assertThat(RoomId.isValid(reserved)).as(reserved).isFalse();
    }
    // Only the exact names: rooms that merely contain them stay rooms.
    for (String room : new String[] {"healthz2", "my-metrics", "Readyz", "metricsx"}) {
      assertThat(RoomId.isValid(room)).as(room).isTrue();
    }
    // /metrics is served by the admin listener only: on the main port it is neither a page nor the
    // metrics.
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(404);
    assertThat(metrics.body()).doesNotContain("data-room");
  }
}
