package webcall.socketio;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Socket.IO v5 over Engine.IO (socket.io-protocol): CONNECT to the namespaces it serves, EVENT and
 * ACK with binary attachments, DISCONNECT, and the connect timeout. A packet the reference server
 * would not accept (a bad format, a reserved event name, a second CONNECT, anything before CONNECT)
 * closes that client's connection, and only it.
 */
public final class SocketIoServer implements EngineHandler {
  private static final Logger log = LoggerFactory.getLogger(SocketIoServer.class);
  private static final Map<String, String> INVALID_NAMESPACE =
      Map.of("message", "Invalid namespace");

  private final Map<String, SocketIoHandler> namespaces;
  private final SocketIoOptions options;
  private final Parser parser = new Parser(SocketIoOptions.MAX_ATTACHMENTS);

  /**
   * @param namespaces the handler of each namespace served, e.g. "/"
   */
  public SocketIoServer(Map<String, SocketIoHandler> namespaces, SocketIoOptions options) {
    this.namespaces = Map.copyOf(namespaces);
    this.options = options;
  }

  /** One Engine.IO session's Socket.IO state. */
  private static final class Client {
    final EngineSession engine;
    SocketImpl main; // namespace "/", the one nearly every client uses
    Map<String, SocketImpl> others; // other namespaces, made when first needed
    ScheduledFuture<?> connectTimer;
    Packet binary; // a packet waiting for its attachments
    List<byte[]> attachments;

    Client(EngineSession engine) {
      this.engine = engine;
    }

    SocketImpl get(String nsp) {
      return "/".equals(nsp) ? main : others == null ? null : others.get(nsp);
    }

    void put(SocketImpl s) {
      if ("/".equals(s.nsp)) {
        main = s;
      } else {
        if (others == null) {
          others = new LinkedHashMap<>(2);
        }
        others.put(s.nsp, s);
      }
    }

    boolean remove(SocketImpl s) {
      if (main == s) {
        main = null;
        return true;
      }
      return others != null && others.remove(s.nsp, s);
    }

    boolean empty() {
      return main == null && (others == null || others.isEmpty());
    }

    List<SocketImpl> all() {
      List<SocketImpl> all = new ArrayList<>(1);
      if (main != null) {
        all.add(main);
      }
      if (others != null) {
        all.addAll(others.values());
      }
      return all;
    }
  }

  @Override
  public void opened(EngineSession session) {
    Client c = new Client(session);
    session.attach(c);
    c.connectTimer =
        session.loop.schedule(
            () -> {
              if (c.empty()) {
                log.info(
                    "event=socketio-connect-timeout sid={} addr={}",
                    session.id(),
                    session.address());
                session.close(DisconnectReason.CONNECT_TIMEOUT);
              }
            },
            options.connectTimeoutMillis(),
            TimeUnit.MILLISECONDS);
  }

  @Override
  public void message(EngineSession session, String text) {
    Client c = (Client) session.attachment();
    if (c.binary != null) {
      session.protocolError("text-instead-of-attachment");
      return;
    }
    Packet p;
    try {
      p = parser.decode(text);
    } catch (ProtocolError e) {
      session.protocolError(e.getMessage());
      return;
    }
    if (p.attachments() > 0) {
      c.binary = p;
      c.attachments = new ArrayList<>(p.attachments());
      return;
    }
    dispatch(c, p);
  }

  @Override
  public void binary(EngineSession session, byte[] data) {
    Client c = (Client) session.attachment();
    if (c.binary == null) {
      session.protocolError("unexpected-attachment");
      return;
    }
    c.attachments.add(data);
    if (c.attachments.size() < c.binary.attachments()) {
      return;
    }
    Packet p = c.binary;
    List<byte[]> attachments = c.attachments;
    c.binary = null;
    c.attachments = null;
    try {
      p = new Packet(p.type(), p.nsp(), p.id(), Parser.reconstruct(p.data(), attachments), 0);
    } catch (ProtocolError e) {
      session.protocolError(e.getMessage());
      return;
    }
    dispatch(c, p);
  }

  private void dispatch(Client c, Packet p) {
    SocketImpl socket = c.get(p.nsp());
    if (socket == null && p.type() == PacketType.CONNECT) {
      connect(c, p);
    } else if (socket != null
        && p.type() != PacketType.CONNECT
        && p.type() != PacketType.CONNECT_ERROR) {
      socket.onPacket(p);
    } else {
      // A second CONNECT, a CONNECT_ERROR, or anything for a namespace it has not joined.
      c.engine.protocolError(socket == null ? "packet-before-connect" : "invalid-state");
    }
  }

  private void connect(Client c, Packet p) {
    SocketIoHandler handler = namespaces.get(p.nsp());
    if (handler == null) {
      c.engine.send(
          Outgoing.of(Parser.encode(PacketType.CONNECT_ERROR, p.nsp(), -1, INVALID_NAMESPACE))
              .frames);
      return;
    }
    if (c.connectTimer != null) {
      c.connectTimer.cancel(false);
      c.connectTimer = null;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> auth = p.data() instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    SocketImpl s = new SocketImpl(c, handler, p.nsp(), UUID.randomUUID().toString(), auth);
    c.put(s);
    c.engine.send(
        Outgoing.of(Parser.encode(PacketType.CONNECT, p.nsp(), -1, Map.of("sid", s.id))).frames);
    handler.connected(s);
  }

  @Override
  public void closing(EngineSession session) {
    Client c = (Client) session.attachment();
    if (c != null) {
      for (SocketImpl s : c.all()) {
        session.send(
            Outgoing.of(Parser.encode(PacketType.DISCONNECT, s.nsp, -1, Packet.NONE)).frames);
      }
    }
  }

  @Override
  public void closed(EngineSession session, DisconnectReason reason) {
    Client c = (Client) session.attachment();
    if (c == null) {
      return;
    }
    if (c.connectTimer != null) {
      c.connectTimer.cancel(false);
      c.connectTimer = null;
    }
    c.binary = null;
    c.attachments = null;
    for (SocketImpl s : c.all()) {
      c.remove(s);
      s.handler.disconnected(s, reason);
    }
  }

  /** A client's socket in one namespace. */
  private static final class SocketImpl implements Socket {
    final Client client;
    final SocketIoHandler handler;
    final String nsp;
    final String id;
    final Map<String, Object> auth;

    SocketImpl(
        Client client, SocketIoHandler handler, String nsp, String id, Map<String, Object> auth) {
      this.client = client;
      this.handler = handler;
      this.nsp = nsp;
      this.id = id;
      this.auth = auth;
    }

    void onPacket(Packet p) {
      switch (p.type()) {
        case EVENT, BINARY_EVENT -> {
          List<Object> data = p.array();
          Object name = data.get(0);
          Ack ack = p.id() >= 0 ? new AckImpl(this, p.id()) : null;
          handler.event(this, String.valueOf(name), data.subList(1, data.size()), ack);
        }
        case DISCONNECT -> {
          if (client.remove(this)) {
            handler.disconnected(this, DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
          }
        }
        default -> {} // ACK: the server asks for none
      }
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public String namespace() {
      return nsp;
    }

    @Override
    public String clientAddress() {
      return client.engine.address();
    }

    @Override
    public Map<String, Object> auth() {
      return auth;
    }

    @Override
    public void emit(String event, Object... args) {
      send(Outgoing.eventIn(nsp, event, args));
    }

    @Override
    public void send(Outgoing packet) {
      client.engine.send(packet.frames);
    }

    @Override
    public void disconnect() {
      disconnect(DisconnectReason.FORCED_CLOSE);
    }

    @Override
    public void disconnect(DisconnectReason why) {
      EngineSession engine = client.engine;
      if (!engine.onEventLoop()) {
        engine.loop.execute(() -> disconnect(why));
        return;
      }
      if (!client.remove(this)) {
        return;
      }
      engine.send(Outgoing.of(Parser.encode(PacketType.DISCONNECT, nsp, -1, Packet.NONE)).frames);
      handler.disconnected(this, DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
      if (client.empty()) {
        engine.close(why); // after the DISCONNECT, which is already on its way
      }
    }

    @Override
    public String toString() {
      return "Socket[" + id + " " + nsp + "]";
    }
  }

  private static final class AckImpl implements Ack {
    private final SocketImpl socket;
    private final long id;
    private boolean sent;

    AckImpl(SocketImpl socket, long id) {
      this.socket = socket;
      this.id = id;
    }

    @Override
    public synchronized void send(Object... args) {
      if (sent) {
        return;
      }
      sent = true;
      socket.send(
          Outgoing.of(
              Parser.encode(PacketType.ACK, socket.nsp, id, java.util.Arrays.asList(args))));
    }
  }
}
