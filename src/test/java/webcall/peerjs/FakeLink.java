package webcall.peerjs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A {@link PeerLink} that keeps what it was sent and how it was closed. */
final class FakeLink implements PeerLink {
  private final List<String> sent = new ArrayList<>();
  private boolean writable = true;
  Rejection closedWith;
  int closedQuietlyWith;

  @Override
  public boolean isOpen() {
    return closedWith == null && closedQuietlyWith == 0;
  }

  @Override
  public boolean isWritable() {
    return writable;
  }

  void stopReading() {
    writable = false;
  }

  @Override
  public void send(byte[] json) {
    if (isOpen()) {
      sent.add(new String(json, StandardCharsets.UTF_8));
    }
  }

  @Override
  public void close(Rejection why) {
    if (isOpen()) {
      closedWith = why;
    }
  }

  @Override
  public void closeQuietly(int code, String reason) {
    if (isOpen()) {
      closedQuietlyWith = code;
    }
  }

  /** What was sent since the last call. */
  List<String> texts() {
    List<String> out = List.copyOf(sent);
    sent.clear();
    return out;
  }
}
