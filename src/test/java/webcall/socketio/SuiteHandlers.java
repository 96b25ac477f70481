package webcall.socketio;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The handlers the official protocol suites expect (their README); test-only, never in production.
 */
final class SuiteHandlers {
  private SuiteHandlers() {}

  static final long AUTH_DELAY_MILLIS = 20;

  /** Engine.IO: every message sent back as it came. */
  static final EngineHandler ECHO =
      new EngineHandler() {
        @Override
        public void opened(EngineSession session) {}

        @Override
        public void message(EngineSession session, String text) {
          session.sendText(text);
        }

        @Override
        public void binary(EngineSession session, byte[] data) {
          session.sendBinary(data);
        }

        @Override
        public void closed(EngineSession session, DisconnectReason reason) {}
      };

  /**
   * Socket.IO, on "/" and "/custom": "auth" with the handshake's auth, "message-back" echoes, acks
   * with the arguments.
   */
  static final SocketIoHandler NAMESPACE =
      new SocketIoHandler() {
        @Override
        public void connected(Socket socket) {
          // A moment after "40", not with it: the suite listens for "auth" only once it has read
          // "40", and its ws delivers two messages of one read before that (the suite's own race,
          // see ProtocolSuitesIT), so the test would miss the event. The server still sends it.
          CompletableFuture.delayedExecutor(AUTH_DELAY_MILLIS, TimeUnit.MILLISECONDS)
              .execute(() -> socket.emit("auth", socket.auth()));
        }

        @Override
        public void event(Socket socket, String name, List<Object> args, Ack ack) {
          if ("message".equals(name)) {
            socket.emit("message-back", args.toArray());
          } else if ("message-with-ack".equals(name) && ack != null) {
            ack.send(args.toArray());
          }
        }

        @Override
        public void disconnected(Socket socket, DisconnectReason reason) {}
      };
}
