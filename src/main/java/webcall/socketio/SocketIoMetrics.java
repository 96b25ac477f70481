package webcall.socketio;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Socket.IO endpoint's meters, registered once here as {@code PeerJsMetrics} does for PeerJS:
 * sessions open by their transport now, and sessions ended by cause. Every counter is resolved once
 * into an array by the reason's ordinal; tag values are the fixed words of {@link #cause}, never a
 * session id, an address or client text.
 */
public final class SocketIoMetrics {
  /**
   * For endpoints without a registry (tests' echo endpoints, embedding): meters that count nothing.
   */
  public static SocketIoMetrics none() {
    return new SocketIoMetrics(new CompositeMeterRegistry());
  }

  private final AtomicInteger polling = new AtomicInteger();
  private final AtomicInteger webSocket = new AtomicInteger();
  private final Counter[] ended = new Counter[DisconnectReason.values().length];

  public SocketIoMetrics(MeterRegistry registry) {
    Gauge.builder("webcall.socketio.connections.open", polling, AtomicInteger::get)
        .description("Socket.IO (Engine.IO) sessions open, by their transport now")
        .tag("transport", "polling")
        .register(registry);
    Gauge.builder("webcall.socketio.connections.open", webSocket, AtomicInteger::get)
        .description("Socket.IO (Engine.IO) sessions open, by their transport now")
        .tag("transport", "websocket")
        .register(registry);
    Map<String, Counter> byCause = new HashMap<>();
    for (DisconnectReason r : DisconnectReason.values()) {
      ended[r.ordinal()] =
          byCause.computeIfAbsent(
              cause(r),
              c ->
                  Counter.builder("webcall.socketio.disconnections")
                      .description("Socket.IO sessions ended, by cause")
                      .tag("cause", c)
                      .register(registry));
    }
  }

  /**
   * The {@code cause} label of a reason: {@code client} (it closed or left), {@code ping_timeout},
   * {@code flood} (over the event rate too long), {@code slow_reader} (over
   * socketio-outbound-bytes), {@code shutdown} (the server's drain ended or it stopped), {@code
   * protocol_error}, {@code connect_timeout}, {@code server} (closed by the server).
   */
  public static String cause(DisconnectReason r) {
    return switch (r) {
      case TRANSPORT_CLOSE, CLIENT_NAMESPACE_DISCONNECT -> "client";
      case PING_TIMEOUT -> "ping_timeout";
      case FLOOD -> "flood";
      case SLOW_READER -> "slow_reader";
      case SERVER_SHUTTING_DOWN -> "shutdown";
      case TRANSPORT_ERROR, PARSE_ERROR -> "protocol_error";
      case CONNECT_TIMEOUT -> "connect_timeout";
      case FORCED_CLOSE, SERVER_NAMESPACE_DISCONNECT -> "server";
    };
  }

  void opened(boolean overWebSocket) {
    (overWebSocket ? webSocket : polling).incrementAndGet();
  }

  void upgraded() {
    polling.decrementAndGet();
    webSocket.incrementAndGet();
  }

  void ended(boolean overWebSocket, DisconnectReason reason) {
    (overWebSocket ? webSocket : polling).decrementAndGet();
    ended[reason.ordinal()].increment();
  }
}
