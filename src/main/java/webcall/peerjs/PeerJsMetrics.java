package webcall.peerjs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import webcall.http.ConnectionLimit;

/**
 * The PeerJS server's meters. Every counter is looked up once here, into arrays indexed by the
 * enum's ordinal, so the relay path pays one array read and one increment per message, and no name
 * or tag is built per message. Tag values are the enums' own names: a client's id, token, type
 * string or address never becomes one.
 */
public final class PeerJsMetrics {
  /** For servers built without a registry (tests, embedding): meters that count nothing. */
  public static PeerJsMetrics none() {
    return new PeerJsMetrics(new CompositeMeterRegistry());
  }

  private final MeterRegistry registry;
  private final Counter[] relayed = new Counter[MessageType.values().length];
  private final Counter[] refused = new Counter[Rejection.values().length];
  private final Counter queued;
  private final Counter expiredTimeout;
  private final Counter expiredQueueFull;
  private final AtomicInteger openSockets = new AtomicInteger();

  public PeerJsMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (MessageType t : MessageType.values()) {
      if (t.isRelayedFromClients()) {
        relayed[t.ordinal()] =
            Counter.builder("webcall.peerjs.messages.relayed")
                .description(
                    "PeerJS messages passed on to another peer, at once or after waiting, by type")
                .tag("type", t.wireName())
                .register(registry);
      }
    }
    for (Rejection r : Rejection.values()) {
      refused[r.ordinal()] =
          Counter.builder("webcall.peerjs.refusals")
              .description("PeerJS sockets refused or closed with an ERROR frame, by reason")
              .tag("reason", r.name().toLowerCase(Locale.ROOT))
              .register(registry);
    }
    queued =
        Counter.builder("webcall.peerjs.messages.queued")
            .description("PeerJS messages queued for a peer that had not connected")
            .register(registry);
    expiredTimeout = expired(registry, "timeout");
    expiredQueueFull = expired(registry, "queue_full");
    // The PeerJS per-address cap, also in the series of every per-address refusal
    // (ConnectionLimit's is the other).
    Counter perAddress = refused[Rejection.TOO_MANY_CONNECTIONS_FROM_ADDRESS.ordinal()];
    FunctionCounter.builder(ConnectionLimit.REFUSED_METER, perAddress, Counter::count)
        .description(ConnectionLimit.REFUSED_DESCRIPTION)
        .tag("limit", "peerjs_sockets_per_address")
        .register(registry);
    Gauge.builder("webcall.peerjs.sockets.open", openSockets, AtomicInteger::get)
        .description("PeerJS WebSockets open, registered or not")
        .register(registry);
  }

  private static Counter expired(MeterRegistry registry, String reason) {
    return Counter.builder("webcall.peerjs.messages.expired")
        .description(
            "PeerJS messages that never reached their peer (the sender got EXPIRE): waited too long, or"
                + " refused by a full queue")
        .tag("reason", reason)
        .register(registry);
  }

  /** The realm's own figures, read at scrape time. */
  MeterRegistry registry() {
    return registry;
  }

  void watch(Realm realm) {
    Gauge.builder("webcall.peerjs.ids.registered", realm, Realm::size)
        .description("PeerJS ids registered now")
        .register(registry);
    Gauge.builder("webcall.peerjs.messages.waiting", realm, Realm::queuedMessages)
        .description("PeerJS messages waiting for a peer that has not connected")
        .register(registry);
  }

  void relayed(MessageType type) {
    relayed[type.ordinal()].increment();
  }

  void refused(Rejection why) {
    refused[why.ordinal()].increment();
  }

  void queued() {
    queued.increment();
  }

  void expiredWaiting(int messages) {
    expiredTimeout.increment(messages);
  }

  void expiredQueueFull() {
    expiredQueueFull.increment();
  }

  void socketOpened() {
    openSockets.incrementAndGet();
  }

  void socketClosed() {
    openSockets.decrementAndGet();
  }
}
