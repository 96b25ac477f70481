package webcall.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import webcall.Main;

class TurnCredentialsTest {
  static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /** HMAC-SHA1 computed by OpenSSL, not by the JDK code under test. */
  static String opensslHmac(String secret, String message) throws Exception {
    Process p = new ProcessBuilder("openssl", "dgst", "-sha1", "-binary", "-hmac", secret).start();
    try {
      p.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      p.getInputStream().transferTo(out);
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
      assertThat(out.size()).isEqualTo(20);
      return Base64.getEncoder().encodeToString(out.toByteArray());
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void credentialIsExpiryColonIdSignedWithTheFirstSecret() throws Exception {
    TurnCredentials turn =
        new TurnCredentials(List.of("north-wind", "old-secret"), Duration.ofHours(1), CLOCK);
    TurnCredentials.Credential c = turn.issue();
    assertThat(c.username()).matches((NOW.getEpochSecond() + 3600) + ":[0-9a-f]{16}");
    assertThat(c.expiresAt()).isEqualTo(NOW.getEpochSecond() + 3600);
    assertThat(c.password()).isEqualTo(opensslHmac("north-wind", c.username()));
    assertThat(c.password()).isNotEqualTo(opensslHmac("old-secret", c.username()));
    assertThat(turn.issue().username()).as("ids are random").isNotEqualTo(c.username());
  }

  @Test
  void everyListedSecretStillVerifiesDuringARotation() throws Exception {
    TurnCredentials turn =
        new TurnCredentials(List.of("new-secret", "old-secret"), Duration.ofHours(1), CLOCK);
    String user = (NOW.getEpochSecond() + 100) + ":someone";
    assertThat(turn.accepts(user, opensslHmac("old-secret", user))).isTrue();
    assertThat(turn.accepts(user, opensslHmac("new-secret", user))).isTrue();
    assertThat(turn.accepts(user, opensslHmac("other", user))).isFalse();
    String expired = (NOW.getEpochSecond() - 1) + ":someone";
    assertThat(turn.accepts(expired, opensslHmac("new-secret", expired))).isFalse();
    assertThat(turn.accepts("garbage", "x")).isFalse();
  }

  /**
   * A clock the test moves: a credential is good through its expiry second and refused from the
   * next.
   */
  @Test
  void anIssuedCredentialIsAcceptedUntilItsExpirySecondOnTheInjectedClock() {
    Instant[] now = {NOW};
    Clock moving =
        new Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now[0];
          }
        };
    TurnCredentials turn = new TurnCredentials(List.of("s"), Duration.ofSeconds(120), moving);
    TurnCredentials.Credential c = turn.issue();
    assertThat(turn.accepts(c.username(), c.password())).isTrue();
    now[0] = NOW.plusSeconds(120);
    assertThat(turn.accepts(c.username(), c.password())).isTrue();
    now[0] = NOW.plusSeconds(121);
    assertThat(turn.accepts(c.username(), c.password())).isFalse();
    assertThat(turn.accepts(c.username(), c.password() + "x")).isFalse();
    assertThat(turn.accepts("notanumber:abc", c.password())).isFalse();
  }

  @Test
  void lifetimeIsClampedTo60Through86400Seconds() {
    assertThat(lifetimeOf(Duration.ofSeconds(59))).isEqualTo(60);
    assertThat(lifetimeOf(Duration.ofSeconds(60))).isEqualTo(60);
    assertThat(lifetimeOf(Duration.ofSeconds(3600))).isEqualTo(3600);
    assertThat(lifetimeOf(Duration.ofSeconds(86_400))).isEqualTo(86_400);
    assertThat(lifetimeOf(Duration.ofSeconds(86_401))).isEqualTo(86_400);
    assertThat(lifetimeOf(Duration.ofSeconds(-5))).isEqualTo(60);
    assertThat(
            IceOptions.defaults()
                .withTurn(List.of("turn:x:3478"), List.of("s"), Duration.ofDays(9))
                .credentialLifetime())
        .isEqualTo(Duration.ofSeconds(86_400));
  }

  private static long lifetimeOf(Duration asked) {
    TurnCredentials.Credential c = new TurnCredentials(List.of("s"), asked, CLOCK).issue();
    return c.expiresAt() - NOW.getEpochSecond();
  }

  @Test
  void secretsStayOutOfToStringAndHelp() {
    IceOptions o =
        IceOptions.defaults()
            .withTurn(List.of("turn:127.0.0.1:3478"), List.of("hush-hush-1"), Duration.ofHours(1));
    assertThat(o.toString()).doesNotContain("hush-hush-1").contains("1 hidden");
    TurnCredentials.Credential c =
        new TurnCredentials(List.of("k"), Duration.ofHours(1), CLOCK).issue();
    assertThat(c.toString()).doesNotContain(c.password());

    CommandLine cli = Main.commandLine();
    cli.parseArgs("--turn-secret", "hush-hush-2", "--turn-url", "turn:127.0.0.1:3478");
    assertThat(cli.getUsageMessage()).contains("--turn-secret").doesNotContain("hush-hush-2");
  }

  @Test
  void optionsRejectNonsense() {
    IceOptions d = IceOptions.defaults();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> d.withTurn(List.of("turn:127.0.0.1:3478"), List.of(), Duration.ofHours(1)))
        .hasMessageContaining("secret");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> d.withTurn(List.of("http://127.0.0.1"), List.of("s"), Duration.ofHours(1)))
        .hasMessageContaining("turn:");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.withStunUrls(List.of("turn:x")))
        .hasMessageContaining("stun:");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.withTransportPolicy("none"))
        .hasMessageContaining("relay");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.withTransportPolicy("relay"))
        .hasMessageContaining("TURN");
    assertThat(
            d.withTurn(List.of("turn:127.0.0.1:3478"), List.of("s"), Duration.ofHours(1))
                .withTransportPolicy("RELAY")
                .iceTransportPolicy())
        .isEqualTo("relay");
    assertThat(d.withStunPort(-1).stunEnabled()).isFalse();
  }
}
