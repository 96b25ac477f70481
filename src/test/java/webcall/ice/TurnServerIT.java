package webcall.ice;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import webcall.TestServer;
import webcall.config.ServerConfig;

/**
 * The credentials webcall hands out, used by coturn's own test client against a real coturn:
 * accepted when coturn shares the signing secret, also during a rotation, refused with a wrong one;
 * and the sample configuration refuses to relay to loopback peers.
 */
class TurnServerIT {
  static final String NEW = "new-" + UUID.randomUUID();
  static final String OLD = "old-" + UUID.randomUUID();

  /**
   * Username and password from GET /api/ice of a webcall server with these secrets and this TURN
   * server.
   */
  static String[] credentials(Coturn turn, String... secrets) throws Exception {
    ServerConfig base = ServerConfig.forLoopback();
    try (TestServer server =
        TestServer.of(
                base.withIce(
                    base.ice()
                        .withTurn(List.of(turn.url()), List.of(secrets), Duration.ofMinutes(10))))
            .start()) {
      HttpResponse<String> res =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(server.http("/api/ice")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(200);
      JsonNode turnServer = new ObjectMapper().readTree(res.body()).get("iceServers").get(0);
      assertThat(turnServer.get("urls").get(0).asText()).isEqualTo(turn.url());
      return new String[] {
        turnServer.get("username").asText(), turnServer.get("credential").asText()
      };
    }
  }

  @Test
  void coturnRelaysWithOurCredentialsAndRefusesAWrongSecret() throws Exception {
    try (Coturn coturn = new Coturn(NEW, OLD)) {
      String[] signedWithNew = credentials(coturn, NEW, OLD);
      Coturn.Client ok = coturn.client(signedWithNew[0], signedWithNew[1]);
      assertThat(ok.exit()).as(ok.output()).isZero();
      assertThat(ok.output())
          .contains("Total lost packets 0")
          .containsPattern("tot_recv_msgs=[1-9]");

      // Mid-rotation, before webcall switched: webcall still signs with the old secret, coturn
      // lists both.
      String[] signedWithOld = credentials(coturn, OLD);
      assertThat(coturn.client(signedWithOld[0], signedWithOld[1]).exit()).isZero();

      String[] wrong = credentials(coturn, "not-" + NEW);
      Coturn.Client refused = coturn.client(wrong[0], wrong[1]);
      assertThat(refused.exit()).as(refused.output()).isNotZero();
      assertThat(refused.output()).contains("Cannot complete Allocation");
      assertThat(refused.output()).doesNotContain("tot_recv_msgs=3");
    }
  }

  @Test
  void theSampleConfigurationAuthenticatesButNeverRelaysToLoopback() throws Exception {
    String sample = Files.readString(Coturn.SAMPLE);
    assertThat(sample)
        .containsPattern("(?m)^use-auth-secret$")
        .containsPattern("(?m)^no-cli$")
        .containsPattern("(?m)^user-quota=[1-9]")
        .containsPattern("(?m)^total-quota=[1-9]")
        .containsPattern("(?m)^denied-peer-ip=10\\.0\\.0\\.0-10\\.255\\.255\\.255$")
        .containsPattern("(?m)^denied-peer-ip=172\\.16\\.0\\.0-172\\.31\\.255\\.255$")
        .containsPattern("(?m)^denied-peer-ip=192\\.168\\.0\\.0-192\\.168\\.255\\.255$")
        .containsPattern("(?m)^denied-peer-ip=127\\.0\\.0\\.0-127\\.255\\.255\\.255$")
        .containsPattern("(?m)^denied-peer-ip=fc00::")
        .doesNotContainPattern("(?m)^allow-loopback-peers")
        .doesNotContainPattern(
            "(?m)^static-auth-secret"); // no shared placeholder secret that would work

    // As shipped (no secret set), coturn refuses every credential.
    try (Coturn unset = Coturn.sample()) {
      String[] c = credentials(unset, NEW);
      Coturn.Client refused = unset.client(c[0], c[1]);
      assertThat(refused.exit()).as(refused.output()).isNotZero();
      assertThat(refused.output()).contains("Cannot complete Allocation");
    }
    // With the secret set, the credentials work, but the peers (the other client's relay on
    // 127.0.0.1) are refused.
    try (Coturn coturn = Coturn.sample(NEW)) {
      String[] c = credentials(coturn, NEW);
      Coturn.Client denied = coturn.client(c[0], c[1]);
      assertThat(denied.exit()).as(denied.output()).isNotZero();
      assertThat(denied.output())
          .doesNotContain("Cannot complete Allocation")
          .contains("403 (Forbidden IP)");
    }
  }
}
