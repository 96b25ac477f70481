package webcall.peerjs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.limit.TokenBucket;
import webcall.logging.LogText;

/**
 * One PeerJS WebSocket after its handshake: registers the id, then relays OFFER/ANSWER/CANDIDATE/LEAVE with the
 * server-set {@code src}, records HEARTBEATs, and ignores everything else. One instance per connection.
 */
final class PeerSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(PeerSocketHandler.class);

  private final Realm realm;
  private final ObjectMapper json;
  private final TokenBucket messages;
  private final TokenBucket heartbeats;
  private final String address;
  private PeerClient client;

  PeerSocketHandler(Realm realm, ObjectMapper json, String address) {
    this.realm = realm;
    this.json = json;
    this.address = address;
    PeerJsOptions.Limits limits = realm.options().limits();
    this.messages = new TokenBucket(limits.messagesPerSecond(), limits.messageBurst());
    this.heartbeats = new TokenBucket(limits.heartbeatsPerSecond(), limits.heartbeatsPerSecond());
  }

  /** Runs once the 101 has gone out: the handshake decision of docs/peerjs-protocol.md §3, in its order. */
  void start(Channel ch, String id, String token, String key) {
    if (isEmpty(id) || isEmpty(token) || isEmpty(key)) {
      reject(ch, Rejection.MISSING_PARAMS, id);
      return;
    }
    if (!key.equals(realm.options().key())) {
      reject(ch, Rejection.INVALID_KEY, id);
      return;
    }
    if (!PeerIds.isValidId(id)) {
      reject(ch, Rejection.INVALID_ID, id);
      return;
    }
    if (!PeerIds.isValidToken(token)) {
      reject(ch, Rejection.INVALID_TOKEN, id);
      return;
    }
    Realm.Registration r = realm.register(id, token, ch);
    switch (r.outcome()) {
      case ID_TAKEN -> reject(ch, Rejection.ID_TAKEN, id);
      case LIMIT_REACHED -> reject(ch, Rejection.LIMIT_REACHED, id);
      case OPENED, TAKEN_OVER -> {
        client = r.client();
        if (r.replaced() != null && r.replaced() != ch) {
          // The old socket of a reconnecting client: it must not go on sending as this id.
          r.replaced()
              .writeAndFlush(new CloseWebSocketFrame(1000, "replaced by a newer connection"))
              .addListener(ChannelFutureListener.CLOSE);
        }
        log.info(
            "event=peer-open peer={} addr={} takeover={}",
            LogText.escape(id),
            LogText.escape(address),
            r.replaced() != null);
        client.send("{\"type\":\"OPEN\"}");
        realm.deliverQueued(client);
      }
    }
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  /** Sends the rejection's ERROR frame and closes with its code; the token is never logged. */
  void reject(Channel ch, Rejection why, String id) {
    log.info(
        "event=peer-reject peer={} addr={} reason={}", LogText.escape(id), LogText.escape(address), why.name());
    PeerClient.close(ch, why);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof CloseWebSocketFrame close) {
      ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), ""))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    if (frame instanceof PingWebSocketFrame) {
      ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
      return;
    }
    if (!(frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)) {
      return;
    }
    if (client == null) {
      return; // not registered (rejected and closing): nothing it sends counts
    }
    if (!messages.take()) {
      reject(ctx.channel(), Rejection.RATE_EXCEEDED, client.id());
      return;
    }
    onMessage(ctx.channel(), frame.content().toString(StandardCharsets.UTF_8));
  }

  private void onMessage(Channel ch, String text) {
    JsonNode msg;
    try {
      msg = json.readTree(text);
    } catch (StreamConstraintsException e) {
      reject(ch, Rejection.TOO_DEEP, client.id());
      return;
    } catch (JsonProcessingException e) {
      log.debug("event=peer-bad-json peer={}", LogText.escape(client.id()));
      return; // malformed frames are ignored; the socket keeps working
    }
    if (!(msg instanceof ObjectNode)) {
      return;
    }
    if (client.socket() != ch) {
      return; // taken over: this socket no longer speaks for the id, not even to keep it alive
    }
    MessageType type = MessageType.fromWire(msg.path("type").textValue());
    if (type == MessageType.HEARTBEAT) {
      if (!heartbeats.take()) {
        reject(ch, Rejection.HEARTBEAT_FLOOD, client.id());
        return;
      }
      client.heartbeat(Realm.now());
      return;
    }
    if (type == null || !type.isRelayedFromClients()) {
      return; // OPEN, EXPIRE, ID-TAKEN, ERROR and unknown types from clients are never relayed
    }
    JsonNode dstNode = msg.get("dst");
    String dst = dstNode != null && dstNode.isTextual() ? dstNode.textValue() : null;
    if (dst == null || dst.isEmpty()) {
      if (type == MessageType.LEAVE) {
        leave(ch);
      }
      return;
    }
    String out = relayed(type, dst, msg.get("payload"));
    if (type == MessageType.LEAVE) {
      PeerClient target = realm.get(dst);
      if (target != null) {
        target.send(out);
      }
      return;
    }
    realm.transmit(client.id(), dst, out);
  }

  /** LEAVE without dst: the client gives up its id. The socket is closed so it cannot go on speaking as it. */
  private void leave(Channel ch) {
    realm.unregister(client, ch);
    ch.writeAndFlush(new CloseWebSocketFrame(1000, "left")).addListener(ChannelFutureListener.CLOSE);
  }

  /** Rebuilds the message as {type, src, dst, payload}: src is set here, every other field is dropped. */
  private String relayed(MessageType type, String dst, JsonNode payload) {
    ObjectNode out = json.createObjectNode();
    out.put("type", type.wireName());
    out.put("src", client.id());
    out.put("dst", dst);
    if (payload != null) {
      out.set("payload", payload);
    }
    try {
      return json.writeValueAsString(out);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed tree always serialises", e);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (client != null && realm.unregister(client, ctx.channel())) {
      log.info("event=peer-close peer={}", LogText.escape(client.id()));
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Channel ch = ctx.channel();
    String peer = client == null ? "-" : LogText.escape(client.id());
    if (cause instanceof TooLongFrameException) {
      log.info("event=peer-frame-too-long peer={}", peer);
      closeWith(ch, WebSocketCloseStatus.MESSAGE_TOO_BIG);
    } else if (cause instanceof CorruptedWebSocketFrameException bad) {
      log.info("event=peer-bad-frame peer={} reason={}", peer, bad.closeStatus().code());
      closeWith(ch, bad.closeStatus());
    } else {
      log.warn("event=peer-error peer={} error={}", peer, cause.toString());
      closeWith(ch, WebSocketCloseStatus.INTERNAL_SERVER_ERROR);
    }
  }

  private static void closeWith(Channel ch, WebSocketCloseStatus status) {
    if (ch.isActive()) {
      ch.writeAndFlush(new CloseWebSocketFrame(status)).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
