package webcall.peerjs;

/**
 * The socket that speaks for one PeerJS id, as the registry, the queue and the relay see it: they
 * send to it and close it, and know nothing of the transport behind it. Its identity is the
 * socket's: one link per connection, so a registry can tell a taken-over socket from the current
 * one by reference.
 */
public interface PeerLink {
  /** Open and not closing: what is sent now may still reach the peer. */
  boolean isOpen();

  /**
   * Whether the peer reads what it is sent: false once it has let the outbound cap pile up, and
   * then it is a slow consumer to close rather than buffer for.
   */
  boolean isWritable();

  /**
   * Sends one message holding these UTF-8 JSON bytes, which are not copied: the caller must not
   * change them. A link that is not open drops it.
   */
  void send(byte[] json);

  /**
   * Refuses the peer: the rejection's ERROR message, then its close code. Only the first close of a
   * link goes out; a peer that does not read is cut off after a short grace.
   */
  void close(Rejection why);

  /** Closes with {@code code} and no ERROR message (a takeover, a LEAVE, a shutdown). */
  void closeQuietly(int code, String reason);
}
