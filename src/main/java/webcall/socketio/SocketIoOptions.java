package webcall.socketio;

/**
 * The Engine.IO and Socket.IO server's settings and limits (docs/signaling.md).
 *
 * @param pingIntervalMillis how often the server pings
 * @param pingTimeoutMillis how long a pong may take before the session is closed
 * @param maxPayload largest polling body and WebSocket message, in bytes (413 and close 1009 above)
 * @param connectTimeoutMillis how long a session may go without connecting to a namespace before it
 *     is closed
 * @param outboundBytes bytes waiting to be sent to one session (its poll queue, or its WebSocket's
 *     unsent bytes) before it counts as a slow reader and is closed
 * @param fragmentsPerMessage WebSocket frames one message may be split into (close 1009 above)
 * @param upgradeTimeoutMillis how long a WebSocket may probe before it completes the upgrade
 */
public record SocketIoOptions(
    long pingIntervalMillis,
    long pingTimeoutMillis,
    int maxPayload,
    long connectTimeoutMillis,
    int outboundBytes,
    int fragmentsPerMessage,
    long upgradeTimeoutMillis) {
  /** Binary attachments one packet may announce; checked before anything is allocated for them. */
  public static final int MAX_ATTACHMENTS = 10;

  public SocketIoOptions {
    if (pingIntervalMillis < 1
        || pingTimeoutMillis < 1
        || maxPayload < 1
        || connectTimeoutMillis < 1
        || outboundBytes < 1
        || fragmentsPerMessage < 1
        || upgradeTimeoutMillis < 1) {
      throw new IllegalArgumentException("every Socket.IO setting must be at least 1");
    }
  }
}
