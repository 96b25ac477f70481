package webcall.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A request no handler answers loses its connection after the limit; answered, exempt and upgraded
 * ones do not.
 */
class ResponseTimeoutTest {
  private static final long LIMIT = 1_000;

  private static EmbeddedChannel channel() {
    EmbeddedChannel ch =
        new EmbeddedChannel(new ResponseTimeout(LIMIT, req -> req.uri().startsWith("/poll")));
    ch.freezeTime();
    return ch;
  }

  private static void request(EmbeddedChannel ch, String uri) {
    ReferenceCountUtil.release(ch.readInbound()); // whatever came before
    ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri));
    ReferenceCountUtil.release(ch.readInbound());
  }

  private static void respond(EmbeddedChannel ch, HttpResponseStatus status) {
    ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status));
    ReferenceCountUtil.release(ch.readOutbound());
  }

  private static void after(EmbeddedChannel ch, long millis) {
    ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
  }

  @Test
  void aRequestNeverAnsweredClosesItsConnection() {
    EmbeddedChannel ch = channel();
    after(ch, 5 * LIMIT); // idle between requests: not this handler's business
    assertThat(ch.isOpen()).isTrue();
    request(ch, "/x");
    after(ch, LIMIT - 1);
    assertThat(ch.isOpen()).isTrue();
    after(ch, 2);
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void answeredRequestsKeepTheirConnection() {
    EmbeddedChannel ch = channel();
    for (int i = 0; i < 3; i++) {
      request(ch, "/x");
      after(ch, LIMIT - 1);
      respond(ch, HttpResponseStatus.OK);
    }
    after(ch, 5 * LIMIT);
    assertThat(ch.isOpen()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void aContinueIsNoAnswer() {
    EmbeddedChannel ch = channel();
    request(ch, "/x");
    respond(ch, HttpResponseStatus.CONTINUE);
    after(ch, LIMIT + 1);
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void pipelinedRequestsAreTimedFromTheOldestUnanswered() {
    EmbeddedChannel ch = channel();
    request(ch, "/a");
    after(ch, LIMIT / 2);
    request(ch, "/b");
    respond(ch, HttpResponseStatus.OK); // /a answered: /b's clock starts now
    after(ch, LIMIT - 1);
    assertThat(ch.isOpen()).isTrue();
    after(ch, 2);
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void exemptRequestsAndUpgradedConnectionsAreNotTimed() {
    EmbeddedChannel poll = channel();
    request(poll, "/poll?sid=1");
    after(poll, 10 * LIMIT);
    assertThat(poll.isOpen()).isTrue();
    poll.finishAndReleaseAll();

    EmbeddedChannel ws = channel();
    request(ws, "/ws");
    respond(ws, HttpResponseStatus.SWITCHING_PROTOCOLS);
    assertThat(ws.pipeline().get(ResponseTimeout.class)).isNull();
    after(ws, 10 * LIMIT);
    assertThat(ws.isOpen()).isTrue();
    ws.finishAndReleaseAll();
  }
}
