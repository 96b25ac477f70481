package webcall.socketio;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One outgoing Engine.IO packet, encoded once for either transport: text (type digit and data) as a
 * WebSocket text frame's bytes and as a polling payload's string, or binary data. Immutable, so one
 * frame goes to many sessions.
 */
final class Frame {
  static final Frame PING = text("2");
  static final Frame NOOP = text("6");
  static final Frame CLOSE = text("1");
  static final Frame PONG_PROBE = text("3probe");

  /** The polling form: the text packet, or "b" and the base64 of binary data. */
  final String text;

  /** What a WebSocket frame carries: the text's UTF-8, or the binary data. */
  final byte[] bytes;

  final boolean binary;

  private Frame(String text, byte[] bytes, boolean binary) {
    this.text = text;
    this.bytes = bytes;
    this.binary = binary;
  }

  static Frame text(String packet) {
    return new Frame(packet, packet.getBytes(StandardCharsets.UTF_8), false);
  }

  /** An Engine.IO message ("4" and the data). */
  static Frame message(String data) {
    return text("4" + data);
  }

  static Frame binary(byte[] data) {
    return new Frame("b" + Base64.getEncoder().encodeToString(data), data, true);
  }

  /** What it costs queued: the larger of its two forms. */
  int size() {
    return Math.max(text.length(), bytes.length);
  }
}
