package webcall.ice;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import webcall.TestServer;

/**
 * GET /api/ice on a real server: TURN credentials that coturn would accept, no secret, no caching,
 * a rate limit.
 */
class IceApiIT {
  static final String SECRET = "api-test-secret-7f3a";
  static final String OLD_SECRET = "api-test-old-secret";
  static final int PER_MINUTE = 5;
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @RegisterExtension
  static final TestServer server =
      new TestServer(
          c ->
              c.withProxied(true) // clients told apart by X-Forwarded-For
                  .withIce(
                      c.ice()
                          .withTurn(
                              List.of("turn:127.0.0.1:3478?transport=udp", "turns:127.0.0.1:5349"),
                              List.of(SECRET, OLD_SECRET),
                              Duration.ofSeconds(600))
                          .withStunUrls(List.of("stun:127.0.0.1:19302"))
                          .withRates(20, PER_MINUTE)));

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void captureLogs() {
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
  }

  @AfterAll
  static void releaseLogs() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  HttpResponse<String> get(String client) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.http("/api/ice")).header("X-Forwarded-For", client).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersWithFreshTurnCredentialsAndTheStunPort() throws Exception {
    HttpResponse<String> res = get("198.51.100.1");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(res.headers().firstValue("Content-Type"))
        .hasValue("application/json; charset=utf-8");
    assertThat(res.body()).doesNotContain(SECRET).doesNotContain(OLD_SECRET);
    JsonNode body = json.readTree(res.body());
    assertThat(body.get("stunPort").asInt()).isEqualTo(server.server().stunAddress().getPort());
    assertThat(body.get("ttl").asLong()).isEqualTo(600);
    assertThat(body.get("iceTransportPolicy").asText()).isEqualTo("all");
    JsonNode servers = body.get("iceServers");
    assertThat(servers).hasSize(2);
    assertThat(servers.get(0).get("urls").get(0).asText()).isEqualTo("stun:127.0.0.1:19302");
    assertThat(servers.get(0).has("credential")).isFalse();
    JsonNode turn = servers.get(1);
    assertThat(turn.get("urls")).hasSize(2);
    String user = turn.get("username").asText();
    long expiry = Long.parseLong(user.substring(0, user.indexOf(':')));
    assertThat(expiry - Instant.now().getEpochSecond()).isBetween(590L, 600L);
    assertThat(turn.get("credential").asText())
        .isEqualTo(TurnCredentialsTest.opensslHmac(SECRET, user));

    JsonNode again = json.readTree(get("198.51.100.1").body());
    assertThat(again.get("iceServers").get(1).get("username").asText()).isNotEqualTo(user);
    assertThat(logs.list)
        .noneMatch(
            e ->
                e.getFormattedMessage().contains(SECRET)
                    || e.getFormattedMessage().contains(turn.get("credential").asText()));
  }

  @Test
  void eachClientGetsItsRateAndThenA429() throws Exception {
    for (int i = 0; i < PER_MINUTE; i++) {
      assertThat(get("198.51.100.2").statusCode()).as("request %d", i + 1).isEqualTo(200);
    }
    HttpResponse<String> over = get("198.51.100.2");
    assertThat(over.statusCode()).isEqualTo(429);
    assertThat(over.headers().firstValue("Retry-After")).isPresent();
    // A forged first hop does not buy a fresh budget: the proxy's last entry counts.
    assertThat(get("203.0.113.9, 198.51.100.2").statusCode()).isEqualTo(429);
    assertThat(get("198.51.100.3").statusCode()).isEqualTo(200);
  }

  @Test
  void onlyGetAndHead() throws Exception {
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(server.http("/api/ice"))
                .header("X-Forwarded-For", "198.51.100.4")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }
}
