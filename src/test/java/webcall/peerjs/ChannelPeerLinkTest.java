package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A PeerJS WebSocket as a link: the frames it writes, and one close per socket. */
class ChannelPeerLinkTest {

  private static List<String> frames(EmbeddedChannel ch) {
    List<String> out = new ArrayList<>();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      if (o instanceof TextWebSocketFrame t) {
        out.add(t.text());
      } else if (o instanceof CloseWebSocketFrame c) {
        out.add("close " + c.statusCode());
      }
      ReferenceCountUtil.release(o);
    }
    return out;
  }

  @Test
  void sendsTextFrames() {
    EmbeddedChannel ch = new EmbeddedChannel();
    PeerLink link = new ChannelPeerLink(ch);
    assertThat(link.isOpen()).isTrue();
    link.send(Peers.json("{\"type\":\"OPEN\"}"));
    assertThat(frames(ch)).containsExactly("{\"type\":\"OPEN\"}");
  }

  @Test
  void aRefusalIsTheErrorFrameThenTheCloseCodeOnce() {
    EmbeddedChannel ch = new EmbeddedChannel();
    PeerLink link = new ChannelPeerLink(ch);
    link.close(Rejection.ALIVE_TIMEOUT);
    link.close(Rejection.RATE_EXCEEDED);
    link.closeQuietly(1000, "left");
    link.send(Peers.json("late"));
    assertThat(frames(ch))
        .containsExactly(
            Rejection.ALIVE_TIMEOUT.frame(), "close " + Rejection.ALIVE_TIMEOUT.closeCode());
    assertThat(link.isOpen()).isFalse();
  }

  @Test
  void aQuietCloseHasNoErrorFrame() {
    EmbeddedChannel ch = new EmbeddedChannel();
    PeerLink link = new ChannelPeerLink(ch);
    link.closeQuietly(1001, "server shutting down");
    link.close(Rejection.ALIVE_TIMEOUT);
    assertThat(frames(ch)).containsExactly("close 1001");
  }

  @Test
  void twoLinksOfOneChannelShareItsOneClose() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ChannelPeerLink.close(ch, Rejection.TOO_MANY_FRAGMENTS);
    new ChannelPeerLink(ch).close(Rejection.ALIVE_TIMEOUT);
    assertThat(frames(ch))
        .containsExactly(
            Rejection.TOO_MANY_FRAGMENTS.frame(),
            "close " + Rejection.TOO_MANY_FRAGMENTS.closeCode());
  }
}
