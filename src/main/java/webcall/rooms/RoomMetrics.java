package webcall.rooms;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.EnumSet;
import java.util.Set;

/**
 * The rooms' meters, registered once here as {@code PeerJsMetrics} does for PeerJS: rooms and
 * participants now (read from {@link RoomDirectory} at scrape time), joins, join refusals by their
 * wire code, chat messages, and events dropped by the per-connection rate. No tag names a room, a
 * peer, an address or a text; the codes are {@link RoomDirectory.JoinError}'s.
 */
public final class RoomMetrics {
  /** The errors a join-room can get (the others answer state and chat only). */
  static final Set<RoomDirectory.JoinError> JOIN_ERRORS =
      EnumSet.of(
          RoomDirectory.JoinError.ALREADY_JOINED,
          RoomDirectory.JoinError.BAD_ROOM,
          RoomDirectory.JoinError.BAD_USER,
          RoomDirectory.JoinError.USER_ELSEWHERE,
          RoomDirectory.JoinError.ROOM_FULL,
          RoomDirectory.JoinError.BAD_PROFILE,
          RoomDirectory.JoinError.DRAINING,
          RoomDirectory.JoinError.UNAVAILABLE);

  /** For servers built without a registry (tests, embedding): meters that count nothing. */
  public static RoomMetrics none() {
    return new RoomMetrics(new CompositeMeterRegistry());
  }

  private final MeterRegistry registry;
  private final Counter joins;
  private final Counter chats;
  private final Counter[] refused = new Counter[RoomDirectory.JoinError.values().length];

  public RoomMetrics(MeterRegistry registry) {
    this.registry = registry;
    joins =
        Counter.builder("webcall.rooms.joins")
            .description("join-room requests accepted")
            .register(registry);
    chats =
        Counter.builder("webcall.rooms.chat.messages")
            .description("Chat messages passed on to a room")
            .register(registry);
    for (RoomDirectory.JoinError e : JOIN_ERRORS) {
      refused[e.ordinal()] =
          Counter.builder("webcall.rooms.join.refusals")
              .description("join-room requests refused, by the error code the client got")
              .tag("code", e.code())
              .register(registry);
    }
  }

  /** The figures read at scrape time. */
  void watch(RoomDirectory rooms, RoomSignaling signaling) {
    Gauge.builder("webcall.rooms.open", rooms, RoomDirectory::roomCount)
        .description("Rooms with at least one participant")
        .register(registry);
    Gauge.builder("webcall.rooms.participants", rooms, RoomDirectory::memberCount)
        .description("Participants in all rooms")
        .register(registry);
    FunctionCounter.builder(
            "webcall.socketio.events.dropped", signaling, RoomSignaling::droppedEvents)
        .description("Socket.IO events dropped for going over the per-connection event rate")
        .register(registry);
  }

  void joined() {
    joins.increment();
  }

  void refused(RoomDirectory.JoinError error) {
    Counter c = refused[error.ordinal()];
    if (c != null) {
      c.increment();
    }
  }

  void chat() {
    chats.increment();
  }
}
