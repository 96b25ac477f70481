package webcall.socketio;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One Engine.IO v4 session: its transport (long-polling, then maybe WebSocket), its queue of
 * packets for the next poll, its ping timer and its upgrade. Everything here runs on one event
 * loop, the one of the connection that opened the session; calls from elsewhere hop onto it, so
 * nothing locks. Kept small: thousands sit idle at once.
 */
public final class EngineSession {
  private static final int OPEN = 0;
  private static final int CLOSING =
      1; // polling only: closed by the client, a NOOP owed to the poll it ended
  private static final int CLOSED = 2;

  final EngineIoServer server;
  final EventLoop loop;
  private final String id;
  private final String address;
  private int state;
  private Channel ws; // the WebSocket, once it is the transport

  /**
   * How long a poll that arrives while upgrading waits for "5" before its NOOP: long enough for a
   * "5" sent before it on the WebSocket (another event loop) to be read first, short because a real
   * client's poll that crossed "3probe" holds back its upgrade, and what it emits, that long (the
   * reference checks every 100 ms).
   */
  static final long UPGRADING_POLL_MILLIS = 30;

  /** How long a second WebSocket for an upgrading sid waits, at most, for the probe's "3probe". */
  static final long HELD_BACK_MILLIS = 100;

  private Channel probe; // a WebSocket probing an upgrade from polling
  private boolean probeAnswered; // its "2probe" came in (and "3probe" went out)
  private boolean probeEndedPoll; // a poll was open at "2probe" and got a NOOP for it
  private ChannelHandlerContext upgradingPoll; // a poll that came while upgrading, waiting for "5"
  private ArrayList<Channel> heldBack; // second WebSockets, refused once "3probe" is out
  private ChannelHandlerContext poll; // a GET waiting for packets
  private boolean pollKeepAlive;
  private boolean flushScheduled; // a flushPoll task is queued on the loop
  private ArrayDeque<Frame> queue; // for the next poll; none over WebSocket
  private int queuedBytes;
  private ScheduledFuture<?> pingTimer; // the next ping or, after one, its timeout
  private boolean awaitingPong;
  private long pongDeadline; // System.nanoTime() by which the pong must be in, while awaitingPong
  private ScheduledFuture<?> upgradeTimer;
  private Object attachment;
  private boolean counted; // in the metrics' open sessions, until end()
  private boolean countedWebSocket; // counted there as a WebSocket (else polling)

  EngineSession(EngineIoServer server, EventLoop loop, String id, String address) {
    this.server = server;
    this.loop = loop;
    this.id = id;
    this.address = address;
  }

  public String id() {
    return id;
  }

  /** The client's address (X-Forwarded-For's last entry behind a proxy). */
  public String address() {
    return address;
  }

  /** The layer above's state for this session (Socket.IO's client). */
  public Object attachment() {
    return attachment;
  }

  public void attach(Object o) {
    attachment = o;
  }

  public boolean onEventLoop() {
    return loop.inEventLoop();
  }

  // ---- sending

  /** Sends a text message ("4" and the text). */
  public void sendText(String text) {
    send(Frame.message(text));
  }

  public void sendBinary(byte[] data) {
    send(Frame.binary(data));
  }

  void send(Frame frame) {
    if (!loop.inEventLoop()) {
      loop.execute(() -> send(frame));
      return;
    }
    if (state != OPEN) {
      return;
    }
    if (ws != null) {
      writeWs(frame);
    } else {
      enqueue(frame);
      if (poll != null && !flushScheduled) {
        // Answered once the loop is done with what it is running and what is queued already:
        // events sent together (user-disconnected, then host-changed) go out in one response,
        // not one poll round trip each.
        flushScheduled = true;
        loop.execute(this::flushPoll);
      }
    }
  }

  /** Several frames in order, in one hop (a packet and its attachments). */
  void send(Frame[] frames) {
    if (!loop.inEventLoop()) {
      loop.execute(() -> send(frames));
      return;
    }
    for (Frame f : frames) {
      send(f);
    }
  }

  private void writeWs(Frame f) {
    // Netty's writability is the unsent bytes against outboundBytes: a client that stops reading is
    // cut off here.
    if (!ws.isWritable()) {
      close(DisconnectReason.SLOW_READER);
      return;
    }
    ws.writeAndFlush(
        f.binary
            ? new BinaryWebSocketFrame(Unpooled.wrappedBuffer(f.bytes))
            : new TextWebSocketFrame(Unpooled.wrappedBuffer(f.bytes)),
        ws.voidPromise());
  }

  private void enqueue(Frame f) {
    if (queue == null) {
      queue = new ArrayDeque<>(4);
    }
    queue.add(f);
    queuedBytes += f.size();
    if (queuedBytes > server.options.outboundBytes() && state == OPEN) {
      close(DisconnectReason.SLOW_READER);
    }
  }

  private void flushPoll() {
    flushScheduled = false;
    if (state == OPEN && poll != null && queue != null && !queue.isEmpty()) {
      answerPoll(takeQueue());
    }
  }

  private String takeQueue() {
    StringBuilder sb = new StringBuilder();
    for (Frame f : queue) {
      if (sb.length() > 0) {
        sb.append('\u001e');
      }
      sb.append(f.text);
    }
    queue = null; // an idle session keeps no empty queue
    queuedBytes = 0;
    return sb.toString();
  }

  private void answerPoll(String body) {
    boolean keepAlive = pollKeepAlive;
    EngineIoServer.respond(takePoll(), keepAlive, HttpResponseStatus.OK, EngineIoServer.TEXT, body);
  }

  /** The waiting poll, which the caller answers: it no longer waits here. */
  private ChannelHandlerContext takePoll() {
    ChannelHandlerContext ctx = poll;
    poll = null;
    ctx.channel().attr(EngineIoServer.WAITING).set(null);
    return ctx;
  }

  // ---- requests

  /**
   * Whether the ping timeout is due, though its timer has not run yet (a busy machine runs timers
   * late).
   */
  private boolean pingTimedOut() {
    if (state == OPEN && awaitingPong && System.nanoTime() - pongDeadline >= 0) {
      close(DisconnectReason.PING_TIMEOUT);
      return true;
    }
    return false;
  }

  /** A GET on the polling transport. */
  void onPoll(ChannelHandlerContext ctx, boolean keepAlive) {
    if (state == CLOSED || pingTimedOut()) {
      EngineIoServer.refuse(ctx, keepAlive, EngineError.UNKNOWN_SID);
      return;
    }
    if (ws != null) {
      EngineIoServer.refuse(ctx, keepAlive, EngineError.BAD_REQUEST); // upgraded: polling is over
      return;
    }
    if (poll != null && !poll.channel().isActive()) {
      poll = null; // its connection closed, and the news of it is still on its way here
    }
    if (poll != null) {
      // Two polls at once: the reference closes the session; the first gets "1", this one an error.
      EngineIoServer.refuse(ctx, keepAlive, EngineError.BAD_REQUEST);
      server.clientErrors.info(
          "socketio-duplicate-poll", "event=socketio-duplicate-poll sid={} addr={}", id, address);
      close(DisconnectReason.TRANSPORT_ERROR);
      return;
    }
    poll = ctx;
    pollKeepAlive = keepAlive;
    if (state == CLOSING) {
      answerPoll(Frame.NOOP.text);
      finish();
    } else if (queue != null && !queue.isEmpty()) {
      answerPoll(takeQueue());
    } else if (probe != null && probeEndedPoll) {
      // The client's poll was open at "2probe" and ended with a NOOP: this one was sent on that
      // NOOP, before the client read "3probe", and the client sends "5" only once it ends.
      answerPoll(Frame.NOOP.text);
    } else if (probe != null) {
      // Upgrading: a client whose poll crossed our "3probe" waits for it to end before it sends
      // "5", so it ends soon, with a NOOP (as the reference's upgrade check does). A client
      // that sent "5" first, though, is past polling: if "5" is handled meanwhile, this poll gets
      // 400. Its "2probe" may still be on its way too: it does not end this poll.
      ctx.channel().attr(EngineIoServer.WAITING).set(this);
      upgradingPoll = ctx;
      loop.schedule(
          () ->
              afterProbeLoop(
                  () -> {
                    if (poll == ctx) {
                      answerPoll(Frame.NOOP.text);
                    }
                    if (upgradingPoll == ctx) {
                      upgradingPoll = null;
                    }
                  }),
          UPGRADING_POLL_MILLIS,
          TimeUnit.MILLISECONDS);
    } else {
      // Marked before the check: the connection's close either finds the mark or is seen here.
      ctx.channel().attr(EngineIoServer.WAITING).set(this);
      if (!ctx.channel().isActive()) {
        ctx.channel().attr(EngineIoServer.WAITING).set(null);
        poll = null;
      }
    }
  }

  /**
   * Runs {@code r} here once the probe's event loop has had a turn: a "5" the client sent before
   * the poll, read there but held up (a busy machine runs that thread late), is handled here first,
   * so the wait for it is not a race against a clock alone.
   */
  private void afterProbeLoop(Runnable r) {
    Channel p = probe;
    if (p == null || p.eventLoop() == loop) {
      r.run();
    } else {
      p.eventLoop().execute(() -> loop.execute(r));
    }
  }

  /**
   * A POST on the polling transport, already split into packets (String or byte[]); null if it did
   * not parse.
   */
  void onPost(ChannelHandlerContext ctx, boolean keepAlive, List<Object> packets) {
    if (state != OPEN || pingTimedOut()) {
      EngineIoServer.refuse(ctx, keepAlive, EngineError.UNKNOWN_SID);
      return;
    }
    if (ws != null) {
      EngineIoServer.refuse(ctx, keepAlive, EngineError.BAD_REQUEST);
      return;
    }
    if (packets == null) {
      EngineIoServer.refuse(ctx, keepAlive, EngineError.BAD_REQUEST);
      badPacket("bad-payload");
      return;
    }
    for (Object p : packets) {
      if (state != OPEN) {
        break;
      }
      if (p instanceof byte[] b) {
        server.handler.binary(this, b);
      } else {
        onPacket((String) p);
      }
    }
    EngineIoServer.respond(ctx, keepAlive, HttpResponseStatus.OK, EngineIoServer.TEXT, "ok");
  }

  /** The poll's connection closed while it waited. */
  void pollGone(ChannelHandlerContext ctx) {
    if (poll == ctx) {
      poll = null;
    }
  }

  private void onPacket(String p) {
    if (p.isEmpty()) {
      badPacket("empty-packet");
      return;
    }
    switch (p.charAt(0)) {
      case '1' -> clientClosed();
      case '3' -> pong();
      case '4' -> server.handler.message(this, p.substring(1));
      case '0', '2', '5', '6' -> {} // open, stray ping or upgrade, noop: nothing to do
      default -> badPacket("unknown-packet-type");
    }
  }

  private void badPacket(String kind) {
    server.clientErrors.info(
        "socketio-bad-packet",
        "event=socketio-bad-packet sid={} addr={} kind={}",
        id,
        address,
        kind);
    close(DisconnectReason.PARSE_ERROR);
  }

  /**
   * The layer above found a protocol violation: the session is closed, and the kind logged once,
   * without payload.
   */
  public void protocolError(String kind) {
    badPacket(kind);
  }

  // ---- WebSocket

  /** The session's own WebSocket (opened without polling) is its transport from the start. */
  void useWebSocket(Channel ch) {
    ws = ch;
  }

  /**
   * A WebSocket for this sid finished its handshake: it may probe, unless there is one already or
   * the upgrade is done.
   */
  void probeOpened(Channel ch) {
    if (state == OPEN && probe != null && !probeAnswered) {
      // The probe's "2probe" may still be unread on another event loop: a single-threaded server
      // would answer it first, so the client sees "3probe" before this socket's close.
      if (heldBack == null) {
        heldBack = new ArrayList<>(1);
      }
      heldBack.add(ch);
      loop.schedule(
          () -> {
            if (heldBack != null && heldBack.remove(ch)) {
              refuseWebSocket(ch);
            }
          },
          HELD_BACK_MILLIS,
          TimeUnit.MILLISECONDS);
      return;
    }
    if (state != OPEN || ws != null || probe != null) {
      refuseWebSocket(ch);
      return;
    }
    probe = ch;
    probeAnswered = false;
    probeEndedPoll = false;
    upgradeTimer =
        loop.schedule(
            () -> {
              if (probe == ch) {
                probe = null;
                ch.close();
              }
            },
            server.options.upgradeTimeoutMillis(),
            TimeUnit.MILLISECONDS);
  }

  private void refuseWebSocket(Channel ch) {
    server.clientErrors.info(
        "socketio-second-websocket",
        "event=socketio-refused-websocket sid={} addr={}",
        id,
        address);
    EngineWebSocket.closeWith(ch, 1008);
  }

  private void refuseHeldBack() {
    if (heldBack != null) {
      List<Channel> refused = heldBack;
      heldBack = null;
      refused.forEach(this::refuseWebSocket);
    }
  }

  void fromWebSocket(Channel ch, String text) {
    if (!loop.inEventLoop()) {
      loop.execute(() -> fromWebSocket(ch, text));
      return;
    }
    if (state != OPEN) {
      return;
    }
    if (ch == probe) {
      if ("2probe"
          .equals(text)) { // EngineWebSocket has answered "3probe" on the channel's own loop
        probeAnswered = true;
        refuseHeldBack();
        if (poll != null && poll != upgradingPoll) {
          answerPoll(Frame.NOOP.text); // the client finishes its poll before it sends "5"
          probeEndedPoll = true;
        }
      } else if ("5".equals(text)) {
        upgraded(ch);
      } else {
        probe = null;
        ch.close();
      }
    } else if (ch == ws) {
      onPacket(text);
    }
  }

  void fromWebSocket(Channel ch, byte[] data) {
    if (!loop.inEventLoop()) {
      loop.execute(() -> fromWebSocket(ch, data));
      return;
    }
    if (state == OPEN && ch == ws) {
      server.handler.binary(this, data);
    }
  }

  private void upgraded(Channel ch) {
    probe = null;
    if (counted && !countedWebSocket) {
      countedWebSocket = true;
      server.metrics.upgraded();
    }
    if (upgradeTimer != null) {
      upgradeTimer.cancel(false);
      upgradeTimer = null;
    }
    if (poll != null) {
      // Sent after "5" (a real client finishes its polls before it sends "5"): polling is over.
      EngineIoServer.refuse(takePoll(), pollKeepAlive, EngineError.BAD_REQUEST);
    }
    ws = ch;
    if (queue != null) {
      ArrayDeque<Frame> waiting = queue;
      queue = null;
      queuedBytes = 0;
      for (Frame f : waiting) {
        writeWs(f);
      }
    }
  }

  /**
   * A WebSocket of this session broke the protocol (a broken frame, bad UTF-8, too big): closed
   * with this code.
   */
  void webSocketFailed(Channel ch, int code) {
    if (!loop.inEventLoop()) {
      loop.execute(() -> webSocketFailed(ch, code));
      return;
    }
    if (ch == ws && state == OPEN) {
      close(DisconnectReason.TRANSPORT_ERROR, code);
    } else {
      if (ch == probe) {
        probe = null;
      }
      EngineWebSocket.closeWith(ch, code);
    }
  }

  /** A WebSocket of this session closed. */
  void webSocketClosed(Channel ch) {
    if (!loop.inEventLoop()) {
      loop.execute(() -> webSocketClosed(ch));
      return;
    }
    if (ch == probe) {
      probe = null;
    } else if (ch == ws && state == OPEN) {
      close(DisconnectReason.TRANSPORT_CLOSE);
    }
  }

  // ---- heartbeat and closing

  void start() {
    pingTimer =
        loop.schedule(this::ping, server.options.pingIntervalMillis(), TimeUnit.MILLISECONDS);
  }

  private void ping() {
    if (state != OPEN) {
      return;
    }
    send(Frame.PING);
    awaitingPong = true;
    pongDeadline =
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(server.options.pingTimeoutMillis());
    pingTimer =
        loop.schedule(
            () -> close(DisconnectReason.PING_TIMEOUT),
            server.options.pingTimeoutMillis(),
            TimeUnit.MILLISECONDS);
  }

  private void pong() {
    if (!awaitingPong) {
      return;
    }
    awaitingPong = false;
    pingTimer.cancel(false);
    pingTimer =
        loop.schedule(this::ping, server.options.pingIntervalMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The client said goodbye ("1"): a waiting poll gets a NOOP, as the reference ends it. Over
   * polling the goodbye and the poll it ends come on two connections, which may reach the server in
   * either order: a poll that comes just after it (within a second at most) still gets its NOOP,
   * and the session is gone after that.
   */
  private void clientClosed() {
    boolean owesNoop = ws == null && poll == null;
    if (poll != null) {
      answerPoll(Frame.NOOP.text);
    }
    queue = null;
    queuedBytes = 0;
    end(DisconnectReason.TRANSPORT_CLOSE);
    if (ws != null) {
      EngineWebSocket.closeWith(ws, 1000);
    } else if (owesNoop) {
      state = CLOSING;
      server.sessions.put(id, this);
      pingTimer =
          loop.schedule(
              this::finish,
              Math.min(1000, server.options.pingTimeoutMillis()),
              TimeUnit.MILLISECONDS);
    }
  }

  /** Closes the session from the server's side (the client is told, where it can still be). */
  public void close() {
    if (!loop.inEventLoop()) {
      loop.execute(this::close);
      return;
    }
    close(DisconnectReason.FORCED_CLOSE);
  }

  void close(DisconnectReason reason) {
    close(reason, 1000);
  }

  /** Closes from the server's side; a WebSocket transport gets this close code. */
  private void close(DisconnectReason reason, int closeCode) {
    if (state != OPEN) {
      return;
    }
    boolean slow = reason == DisconnectReason.SLOW_READER;
    if (!slow) {
      try {
        server.handler.closing(this);
      } catch (RuntimeException e) {
        EngineIoServer.log.warn(
            "event=socketio-closing-handler-failed sid={} error={}", id, e.toString());
      }
    }
    if (ws != null) {
      end(reason);
      if (slow) {
        ws.close(); // nothing more can reach it
      } else {
        EngineWebSocket.closeWith(ws, closeCode);
      }
      return;
    }
    if (probe != null) {
      probe.close();
      probe = null;
    }
    if (poll != null) {
      // The waiting poll takes what is queued and the close; without one, the session is simply
      // gone (400).
      if (slow) {
        queue = null;
      }
      enqueue(Frame.CLOSE);
      answerPoll(takeQueue());
    }
    queue = null;
    queuedBytes = 0;
    end(reason);
  }

  /** Stops everything, forgets the session and tells the layer above, once. */
  private void end(DisconnectReason reason) {
    state = CLOSED;
    if (counted) {
      counted = false;
      server.metrics.ended(countedWebSocket, reason);
    }
    cancel(pingTimer);
    cancel(upgradeTimer);
    pingTimer = null;
    upgradeTimer = null;
    server.sessions.remove(id, this);
    if (probe != null) {
      probe.close();
      probe = null;
    }
    refuseHeldBack();
    try {
      server.handler.closed(this, reason);
    } catch (RuntimeException e) {
      EngineIoServer.log.warn(
          "event=socketio-close-handler-failed sid={} error={}", id, e.toString());
    }
  }

  private void finish() {
    state = CLOSED;
    cancel(pingTimer);
    pingTimer = null;
    queue = null;
    server.sessions.remove(id, this);
  }

  private static void cancel(ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  /**
   * Counted as open in the metrics from now until it ends; called once, when the server makes it.
   */
  void counted(boolean overWebSocket) {
    counted = true;
    countedWebSocket = overWebSocket;
    server.metrics.opened(overWebSocket);
  }

  /**
   * For the server's shutdown: closes the transport without waiting; a WebSocket gets 1001 (going
   * away).
   */
  void shutdown() {
    if (!loop.inEventLoop()) {
      loop.execute(this::shutdown);
      return;
    }
    if (state == OPEN) {
      close(DisconnectReason.SERVER_SHUTTING_DOWN, 1001);
    }
  }
}
