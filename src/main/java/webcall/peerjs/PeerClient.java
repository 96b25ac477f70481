package webcall.peerjs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.logging.LogText;

/**
 * One registered PeerJS id: its token, the link that currently speaks for it, and when it last sent
 * HEARTBEAT. Kept small on purpose: there is one per connected peer.
 */
public final class PeerClient {
  private static final Logger log = LoggerFactory.getLogger(PeerClient.class);

  private final String id;
  private final byte[] token;
  private volatile PeerLink link;
  private volatile long lastPing;

  PeerClient(String id, String token, PeerLink link, long now) {
    this.id = id;
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.link = link;
    this.lastPing = now;
  }

  public String id() {
    return id;
  }

  /** Compares in constant time so the token cannot be guessed byte by byte. */
  public boolean tokenMatches(String candidate) {
    return candidate != null
        && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
  }

  public PeerLink link() {
    return link;
  }

  void attach(PeerLink link) {
    this.link = link;
  }

  long lastPing() {
    return lastPing;
  }

  void heartbeat(long now) {
    lastPing = now;
  }

  /**
   * Sends one message. A link that has let its outbound cap pile up unread is a slow consumer: it
   * is closed rather than buffered for without bound.
   */
  public void send(String json) {
    send(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends these UTF-8 JSON bytes, which are not copied: the caller must not change them. */
  public void send(byte[] json) {
    PeerLink l = link;
    if (!l.isOpen()) {
      return;
    }
    if (!l.isWritable()) {
      log.info("event=peer-slow-consumer peer={}", LogText.escape(id));
      l.close(Rejection.SLOW_CONSUMER);
      return;
    }
    l.send(json);
  }
}
