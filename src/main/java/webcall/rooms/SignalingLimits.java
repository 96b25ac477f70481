package webcall.rooms;

import java.util.List;
import java.util.Map;

/**
 * The room signaling's limits (docs/limits.md), each changeable by {@code --limit name=value}.
 *
 * @param nameLength longest display name, in characters
 * @param chatLength longest chat message, in characters
 * @param eventsPerSecond Socket.IO events per connection per second, sustained
 * @param eventBurst Socket.IO events per connection at once
 * @param floodGraceMillis how long a connection may keep going over the event rate before it is
 *     disconnected
 * @param pingIntervalMillis Engine.IO ping interval
 * @param pingTimeoutMillis Engine.IO ping timeout: a silent connection is closed (and announced as
 *     gone) after this
 * @param connectTimeoutMillis how long a Socket.IO connection may stay without connecting to a
 *     namespace
 * @param outboundBytes bytes waiting to be sent to one Socket.IO connection before it is cut off as
 *     a slow reader
 * @param passwordAttemptsPerMinute room password attempts per connection per minute (also the
 *     burst)
 * @param passwordAttemptsPerAddressPerMinute room password attempts per client address per minute
 *     (also the burst)
 */
public record SignalingLimits(
    int nameLength,
    int chatLength,
    int eventsPerSecond,
    int eventBurst,
    long floodGraceMillis,
    long pingIntervalMillis,
    long pingTimeoutMillis,
    long connectTimeoutMillis,
    int outboundBytes,
    int passwordAttemptsPerMinute,
    int passwordAttemptsPerAddressPerMinute) {

  public static final SignalingLimits DEFAULT =
      new SignalingLimits(64, 2000, 20, 50, 10_000, 25_000, 20_000, 45_000, 1024 * 1024, 5, 20);

  /** The names operators give these limits, in the order of the components. */
  public static final List<String> NAMES =
      List.of(
          "name-length",
          "chat-length",
          "events-per-second",
          "event-burst",
          "flood-grace-ms",
          "ping-interval-ms",
          "ping-timeout-ms",
          "connect-timeout-ms",
          "socketio-outbound-bytes",
          "password-attempts-per-minute",
          "password-attempts-per-address-per-minute");

  public SignalingLimits {
    for (long v :
        new long[] {
          nameLength,
          chatLength,
          eventsPerSecond,
          eventBurst,
          floodGraceMillis,
          pingIntervalMillis,
          pingTimeoutMillis,
          connectTimeoutMillis,
          outboundBytes,
          passwordAttemptsPerMinute,
          passwordAttemptsPerAddressPerMinute
        }) {
      if (v < 1) {
        throw new IllegalArgumentException("every signaling limit must be at least 1");
      }
    }
  }

  /** The defaults with the named values replaced; names not in {@link #NAMES} are ignored here. */
  public static SignalingLimits from(Map<String, Long> values) {
    SignalingLimits d = DEFAULT;
    long[] v = {
      d.nameLength,
      d.chatLength,
      d.eventsPerSecond,
      d.eventBurst,
      d.floodGraceMillis,
      d.pingIntervalMillis,
      d.pingTimeoutMillis,
      d.connectTimeoutMillis,
      d.outboundBytes,
      d.passwordAttemptsPerMinute,
      d.passwordAttemptsPerAddressPerMinute
    };
    for (int i = 0; i < NAMES.size(); i++) {
      v[i] = values.getOrDefault(NAMES.get(i), v[i]);
    }
    return new SignalingLimits(
        Math.toIntExact(v[0]),
        Math.toIntExact(v[1]),
        Math.toIntExact(v[2]),
        Math.toIntExact(v[3]),
        v[4],
        v[5],
        v[6],
        v[7],
        Math.toIntExact(v[8]),
        Math.toIntExact(v[9]),
        Math.toIntExact(v[10]));
  }
}
