package webcall.peerjs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.http.WebSocketCloseCheck;
import webcall.limit.TokenBucket;
import webcall.logging.LogText;

/**
 * One PeerJS WebSocket after its handshake: registers the id, then relays
 * OFFER/ANSWER/CANDIDATE/LEAVE with the server-set {@code src}, records HEARTBEATs, and ignores
 * everything else. One instance per connection.
 */
final class PeerSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(PeerSocketHandler.class);

  private final Realm realm;
  private final JsonFactory json;
  private final TokenBucket messages;
  private final TokenBucket heartbeats;
  private final String address;
  private final ChannelPeerLink link;
  private PeerClient client;

  /** Set once the 101 has gone out: from then on frames may be answered. */
  private boolean upgraded;

  /**
   * A broken frame that came with the upgrade request, before the 101: answered once the 101 is
   * out.
   */
  private Rejection brokenBeforeUpgrade;

  PeerSocketHandler(Realm realm, JsonFactory json, String address, Channel ch) {
    this.realm = realm;
    this.json = json;
    this.address = address;
    this.link = new ChannelPeerLink(ch);
    PeerJsOptions.Limits limits = realm.options().limits();
    this.messages = new TokenBucket(limits.messagesPerSecond(), limits.messageBurst());
    this.heartbeats = new TokenBucket(limits.heartbeatsPerSecond(), limits.heartbeatsPerSecond());
  }

  /** Counts a refusal of this socket (see {@link ChannelPeerLink#close}). */
  void refused(Rejection why) {
    realm.metrics().refused(why);
  }

  /**
   * Runs once the 101 has gone out: the handshake decision of docs/peerjs-protocol.md, in its
   * order.
   */
  void start(String id, String token, String key) {
    upgraded = true;
    if (isEmpty(id) || isEmpty(token) || isEmpty(key)) {
      reject(Rejection.MISSING_PARAMS, id);
      return;
    }
    if (!key.equals(realm.options().key())) {
      reject(Rejection.INVALID_KEY, id);
      return;
    }
    if (!PeerIds.isValidId(id)) {
      reject(Rejection.INVALID_ID, id);
      return;
    }
    if (!PeerIds.isValidToken(token)) {
      reject(Rejection.INVALID_TOKEN, id);
      return;
    }
    PeerRegistry.Registration r = realm.register(id, token, link);
    switch (r.outcome()) {
      case ID_TAKEN -> reject(Rejection.ID_TAKEN, id);
      case LIMIT_REACHED -> reject(Rejection.LIMIT_REACHED, id);
      case UNAVAILABLE -> reject(Rejection.UNAVAILABLE, id);
      case OPENED, TAKEN_OVER -> {
        client = r.client();
        if (r.replaced() != null && r.replaced() != link) {
          // The old socket of a reconnecting client: it must not go on sending as this id.
          r.replaced().closeQuietly(1000, "replaced by a newer connection");
        }
        log.info(
            "event=peer-open peer={} addr={} takeover={}",
            LogText.escape(id),
            LogText.escape(address),
            r.outcome() == PeerRegistry.Outcome.TAKEN_OVER);
        client.send("{\"type\":\"OPEN\"}");
        realm.deliverQueued(client);
      }
    }
  }

  /** The rejection a broken frame earned before the 101 went out, or null. */
  Rejection brokenBeforeUpgrade() {
    return brokenBeforeUpgrade;
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  /** Sends the rejection's ERROR frame and closes with its code; the token is never logged. */
  void reject(Rejection why, String id) {
    upgraded = true;
    log.info(
        "event=peer-reject peer={} addr={} reason={}",
        LogText.escape(id),
        LogText.escape(address),
        why.name());
    link.close(why);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof CloseWebSocketFrame close) {
      if (ChannelPeerLink.beginClosing(ctx.channel())) {
        // Echo the code; a close without one (what peer.destroy() sends) is echoed without one.
        CloseWebSocketFrame echo =
            close.statusCode() < 0
                ? new CloseWebSocketFrame(true, 0)
                : new CloseWebSocketFrame(close.statusCode(), "");
        ctx.writeAndFlush(echo).addListener(ChannelFutureListener.CLOSE);
      }
      return;
    }
    if (ChannelPeerLink.isClosing(ctx.channel())) {
      return; // rejected, taken over or leaving: nothing more it sends counts
    }
    if (client == null) {
      return; // not registered (rejected and closing): nothing it sends counts
    }
    // Pings count as messages: a ping flood would otherwise pile up pongs for a client that does
    // not read.
    if (!messages.take()) {
      reject(Rejection.RATE_EXCEEDED, client.id());
      return;
    }
    if (frame instanceof PingWebSocketFrame) {
      if (ctx.channel().isWritable()) {
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
      }
      return;
    }
    byte[] bytes;
    if (frame instanceof TextWebSocketFrame) {
      bytes = ByteBufUtil.getBytes(frame.content());
      // Checked here, on the whole message, rather than fragment by fragment in front of the
      // aggregator.
      if (!ClientMessage.isUtf8(bytes)) {
        reject(Rejection.INVALID_UTF8, client.id());
        return;
      }
    } else if (frame instanceof BinaryWebSocketFrame) {
      // Decoded as the reference's data.toString() does: bad UTF-8 becomes U+FFFD rather than a
      // refusal.
      bytes = frame.content().toString(StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
    } else {
      return;
    }
    ClientMessage msg;
    try {
      msg = ClientMessage.read(json, bytes);
    } catch (StreamConstraintsException e) {
      reject(Rejection.TOO_DEEP, client.id());
      return;
    } catch (IOException e) {
      log.debug("event=peer-bad-json peer={}", LogText.escape(client.id()));
      return; // malformed frames are ignored; the socket keeps working
    }
    if (msg != null) {
      onMessage(msg);
    }
  }

  private void onMessage(ClientMessage msg) {
    if (client.link() != link) {
      return; // taken over: this socket no longer speaks for the id, not even to keep it alive
    }
    MessageType type = MessageType.fromWire(msg.type);
    if (type == MessageType.HEARTBEAT) {
      if (!heartbeats.take()) {
        reject(Rejection.HEARTBEAT_FLOOD, client.id());
        return;
      }
      client.heartbeat(realm.now());
      return;
    }
    if (type == null || !type.isRelayedFromClients()) {
      return; // OPEN, EXPIRE, ID-TAKEN, ERROR and unknown types from clients are never relayed
    }
    if (msg.dst == ClientMessage.Dst.FALSY) {
      if (type == MessageType.LEAVE) {
        leave();
      }
      return; // the reference drops OFFER/ANSWER/CANDIDATE without a dst too
    }
    if (msg.dst != ClientMessage.Dst.ID) {
      return; // ids are strings: a number or an object names no one
    }
    byte[] out = msg.relayed(type, client.id());
    if (type == MessageType.LEAVE) {
      if (realm.transmitUnqueued(client.id(), msg.dstId, out)) {
        realm.metrics().relayed(type);
      }
      return;
    }
    realm.metrics().relayed(type);
    realm.transmit(client.id(), msg.dstId, out);
  }

  /**
   * LEAVE without dst: the client gives up its id. The reference leaves the socket open, still
   * speaking as an id that someone else may now hold; here it is closed.
   */
  private void leave() {
    realm.unregister(client, link);
    log.info("event=peer-leave peer={}", LogText.escape(client.id()));
    link.closeQuietly(1000, "left");
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (client != null && realm.unregister(client, link)) {
      log.info("event=peer-close peer={}", LogText.escape(client.id()));
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Channel ch = ctx.channel();
    String peer = client == null ? "-" : LogText.escape(client.id());
    if (!ch.isActive() || cause instanceof PrematureChannelClosureException) {
      // Gone already (a reset, or closed halfway through a fragmented message): nothing to answer.
      log.debug("event=peer-gone peer={} error={}", peer, cause.toString());
      return;
    }
    Rejection why = rejectionFor(cause);
    if (!upgraded) {
      // Frames sent in the same packet as the upgrade are decoded before the 101 is written: a
      // close frame now would
      // go out ahead of it, and the client would see neither. The endpoint rejects once the 101 is
      // out.
      if (brokenBeforeUpgrade == null) {
        brokenBeforeUpgrade = why;
      }
      return;
    }
    if (why == Rejection.INTERNAL_ERROR) {
      log.warn(
          "event=peer-error peer={} addr={} error={}",
          peer,
          LogText.escape(address),
          cause.toString());
    } else {
      log.info(
          "event=peer-bad-frame peer={} addr={} reason={}",
          peer,
          LogText.escape(address),
          why.name());
    }
    link.close(why);
  }

  /** Broken frames are rejected like bad messages: an ERROR frame, then the RFC 6455 close code. */
  private static Rejection rejectionFor(Throwable cause) {
    if (!(cause instanceof TooLongFrameException)
        && !(cause instanceof CorruptedWebSocketFrameException)) {
      return Rejection.INTERNAL_ERROR;
    }
    WebSocketCloseStatus status = WebSocketCloseCheck.closeStatus(cause);
    if (status.equals(WebSocketCloseStatus.MESSAGE_TOO_BIG)) {
      return Rejection
          .MESSAGE_TOO_BIG; // the decoder, or the aggregator: fragments add up to too much
    }
    if (status.equals(WebSocketCloseStatus.INVALID_PAYLOAD_DATA)) {
      return Rejection.INVALID_UTF8;
    }
    return Rejection.PROTOCOL_ERROR;
  }
}
