package webcall.peerjs;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps how many frames one message may be split into, before the aggregator collects them: endless
 * tiny fragments would otherwise cost a buffer component and a read each, up to the size limit. One
 * per connection.
 */
final class FragmentLimit extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(FragmentLimit.class);
  private final int max;
  private int frames;
  private boolean closing;

  FragmentLimit(int max) {
    this.max = max;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    boolean data =
        msg instanceof TextWebSocketFrame
            || msg instanceof BinaryWebSocketFrame
            || msg instanceof ContinuationWebSocketFrame;
    if (data) {
      WebSocketFrame frame = (WebSocketFrame) msg;
      frames++;
      if (frames > max) {
        closing = true;
        ReferenceCountUtil.release(msg);
        log.info(
            "event=peer-bad-frame addr={} reason={}",
            ctx.channel().remoteAddress(),
            Rejection.TOO_MANY_FRAGMENTS);
        ChannelPeerLink.close(ctx.channel(), Rejection.TOO_MANY_FRAGMENTS);
        return;
      }
      if (frame.isFinalFragment()) {
        frames = 0;
      }
    }
    ctx.fireChannelRead(msg);
  }
}
