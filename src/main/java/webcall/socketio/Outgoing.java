package webcall.socketio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Socket.IO packet encoded once, to be written to many sockets: a room's broadcast is not encoded
 * per member.
 */
public final class Outgoing {
  final Frame[] frames;

  private Outgoing(Frame[] frames) {
    this.frames = frames;
  }

  /** An EVENT for namespace "/". */
  public static Outgoing event(String event, Object... args) {
    return eventIn("/", event, args);
  }

  /**
   * An EVENT for another namespace (a name of its own: with event(...), a String argument would be
   * taken for one).
   */
  public static Outgoing eventIn(String nsp, String event, Object... args) {
    List<Object> data = new ArrayList<>(args.length + 1);
    data.add(event);
    data.addAll(Arrays.asList(args));
    return of(Parser.encode(PacketType.EVENT, nsp, -1, data));
  }

  static Outgoing of(List<Object> messages) {
    Frame[] frames = new Frame[messages.size()];
    for (int i = 0; i < frames.length; i++) {
      Object m = messages.get(i);
      frames[i] = m instanceof byte[] b ? Frame.binary(b) : Frame.message((String) m);
    }
    return new Outgoing(frames);
  }

  /** Its size in bytes on a WebSocket. */
  public int size() {
    int n = 0;
    for (Frame f : frames) {
      n += f.bytes.length;
    }
    return n;
  }
}
