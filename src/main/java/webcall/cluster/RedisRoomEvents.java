package webcall.cluster;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisException;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.rooms.LocalRoomEvents;
import webcall.rooms.RoomDirectory;
import webcall.rooms.RoomEvents;
import webcall.rooms.RoomsUnavailable;

/**
 * Room events to members on any node, as Socket.IO's Redis adapter does it: this node's sockets get
 * an event at once, and when some recipients are connected elsewhere it is published once on one
 * channel every node listens to, {@code rooms:events}, as JSON {@code {o: node, k: "e" (emit) or
 * "d" (disconnect), to: [connection ids], e: event, a: [args]}}; each node delivers to those of
 * {@code to} it holds. One channel for all: Redis sends every node the messages in the one order it
 * received them, so what one node publishes (a join's user-connected, then that member's state and
 * chat) arrives everywhere in that order. A room's recipients are read from the directory when the
 * event is sent (members after the change that caused it).
 */
public final class RedisRoomEvents implements RoomEvents {
  private static final Logger log = LoggerFactory.getLogger(RedisRoomEvents.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one message carries; the names are short, every event crosses Redis once. */
  record Message(String o, String k, List<String> to, String e, List<Object> a) {}

  private final RedisStore store;
  private final RoomDirectory rooms;
  private final LocalRoomEvents local;
  private final String channel;
  private final String me;

  /** Listens on the events channel (on this node's pub/sub connection) before it returns. */
  public RedisRoomEvents(RedisStore store, RoomDirectory rooms, LocalRoomEvents local) {
    this.store = store;
    this.rooms = rooms;
    this.local = local;
    this.channel = store.key("rooms:events");
    this.me = store.node().value();
    store
        .pubsub()
        .addListener(
            new RedisPubSubAdapter<>() {
              @Override
              public void message(String from, byte[] message) {
                if (channel.equals(from)) {
                  received(message);
                }
              }
            });
    try {
      // Lettuce subscribes again by itself after a reconnect.
      store.pubsub().async().subscribe(channel).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot subscribe to the room events: " + e, e);
    }
  }

  @Override
  public void toRoom(String room, String except, String event, Object... args) {
    List<String> members;
    try {
      members = rooms.members(room);
    } catch (RoomsUnavailable e) {
      log.warn("event=room-event-lost room={} event={} error={}", room, event, e.getMessage());
      return;
    }
    List<String> here = new ArrayList<>();
    List<String> elsewhere = new ArrayList<>();
    for (String m : members) {
      if (!m.equals(except)) {
        (local.holds(m) ? here : elsewhere).add(m);
      }
    }
    local.toConnections(here, event, args);
    publish("e", elsewhere, event, args);
  }

  @Override
  public void toConnection(String connection, String event, Object... args) {
    if (connection == null) {
      return;
    }
    if (local.holds(connection)) {
      local.toConnection(connection, event, args);
    } else {
      publish("e", List.of(connection), event, args);
    }
  }

  @Override
  public void disconnect(String connection) {
    if (local.holds(connection)) {
      local.disconnect(connection);
    } else {
      publish("d", List.of(connection), null, new Object[0]);
    }
  }

  private void publish(String kind, List<String> to, String event, Object[] args) {
    if (to.isEmpty()) {
      return;
    }
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(new Message(me, kind, to, event, List.of(args)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    try {
      // Asynchronous, on the connection that wrote the change before it: published after it.
      store
          .async()
          .publish(channel, bytes)
          .exceptionally(
              e -> {
                log.warn("event=room-event-lost event={} error={}", event, e.toString());
                return 0L;
              });
    } catch (RedisException e) {
      log.warn("event=room-event-lost event={} error={}", event, e.toString());
    }
  }

  private void received(byte[] bytes) {
    Message m;
    try {
      m = JSON.readValue(bytes, new TypeReference<Message>() {});
    } catch (IOException e) {
      log.warn("event=room-event-unreadable error={}", e.toString());
      return;
    }
    if (me.equals(m.o()) || m.to() == null) {
      return;
    }
    if ("d".equals(m.k())) {
      for (String c : m.to()) {
        if (local.holds(c)) {
          local.disconnect(c);
        }
      }
    } else if (m.e() != null) {
      local.toConnections(m.to(), m.e(), m.a() == null ? new Object[0] : m.a().toArray());
    }
  }
}
