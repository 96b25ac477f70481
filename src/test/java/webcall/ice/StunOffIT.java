package webcall.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;
import webcall.TestServer;

/** With the STUN responder off, nothing listens and the page is not told to use it. */
class StunOffIT {
  @RegisterExtension
  static final TestServer server =
      new TestServer(c -> c.withIce(c.ice().withStunPort(IceOptions.STUN_OFF)));

  @Test
  void noResponderAndNoStunPortForThePage() throws Exception {
    assertThat(server.server().stunAddress()).isNull();
    HttpResponse<String> res =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(server.http("/api/ice")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).doesNotContain("stunPort").contains("\"iceServers\":[]");
  }

  @Test
  void noStunFlagAndMinusOneBothTurnItOff() {
    IceFlags a = new IceFlags();
    new CommandLine(a).parseArgs("--no-stun");
    assertThat(a.toOptions().stunEnabled()).isFalse();
    IceFlags b = new IceFlags();
    new CommandLine(b).parseArgs("--stun-port", "-1");
    assertThat(b.toOptions().stunEnabled()).isFalse();
    IceFlags c = new IceFlags();
    new CommandLine(c).parseArgs();
    assertThat(c.toOptions().stunPort()).isEqualTo(3478);
  }
}
