package webcall.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** Whose address a per-address limit counts behind a proxy: the one the proxy appended. */
class ClientAddressTest {
  private static HttpRequest request(String... forwardedLines) {
    HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    for (String line : forwardedLines) {
      req.headers().add("X-Forwarded-For", line);
    }
    return req;
  }

  @Test
  void nginxStyleOneLineTakesItsLastEntry() {
    assertThat(ClientAddress.of(new EmbeddedChannel(), request("6.6.6.6, 10.0.0.7"), true))
        .isEqualTo("10.0.0.7");
  }

  @Test
  void haproxyStyleSecondLineWinsOverWhatTheClientSent() {
    // option forwardfor adds its own line after the client's forged one
    assertThat(ClientAddress.of(new EmbeddedChannel(), request("6.6.6.6", "10.0.0.7"), true))
        .isEqualTo("10.0.0.7");
  }

  @Test
  void notProxiedTheHeaderIsIgnored() {
    assertThat(ClientAddress.of(new EmbeddedChannel(), request("6.6.6.6"), false))
        .isNotEqualTo("6.6.6.6");
  }
}
