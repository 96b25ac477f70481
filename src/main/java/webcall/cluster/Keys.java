package webcall.cluster;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import webcall.peerjs.PeerIds;

/**
 * The PeerJS key layout in Redis, in one place (after the store's prefix, "webcall:" in
 * production):
 *
 * <pre>
 * pj:id:{id}          hash n = node that holds its socket, t = SHA-256 of its token (hex),
 *                          g = that node's claim generation (a late release spares a newer claim)
 * pj:node:{node}:ids  set of the ids that node holds (for its lease's end and its re-announce)
 * pj:lease:{node}     the node's lease: exists while the node lives (PX --node-lease-seconds)
 * pj:nodes            set of nodes that announced themselves
 * pj:q:{id}           list of messages waiting for id: "src\n" + the JSON as relayed
 * pj:qage             sorted set: {id} scored by when its queue got its first message (ms)
 * pj:qbytes           hash {id} -> bytes waiting for it
 * pj:qsenders         hash src -> messages it has waiting (src as a plain id)
 * pj:qtotals          hash n -> messages waiting, b -> their bytes, cluster-wide
 * channel pj:node:{node}  what other nodes send this one (NodeBus)
 * </pre>
 *
 * {id} is a PeerJS id that passed {@link PeerIds#isValidId} (at most 64 characters), escaped so no
 * byte of it is special: everything but [A-Za-z0-9_-] as %XX. Nothing else a client sends names a
 * key.
 */
final class Keys {
  private Keys() {}

  /** Whether an id may name a key at all: the PeerJS id rule, so its length is capped too. */
  static boolean usable(String id) {
    return PeerIds.isValidId(id);
  }

  /** %XX for every byte outside [A-Za-z0-9_-]; reversible by {@link #unescape}. */
  static String escape(String id) {
    if (!usable(id)) {
      throw new IllegalArgumentException("not a PeerJS id");
    }
    StringBuilder b = new StringBuilder(id.length() + 8);
    for (byte c : id.getBytes(StandardCharsets.UTF_8)) {
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '_'
          || c == '-') {
        b.append((char) c);
      } else {
        b.append('%').append(HexFormat.of().withUpperCase().toHexDigits(c));
      }
    }
    return b.toString();
  }

  static String unescape(String escaped) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(escaped.length());
    for (int i = 0; i < escaped.length(); i++) {
      char c = escaped.charAt(i);
      if (c == '%' && i + 2 < escaped.length()) {
        out.write(HexFormat.fromHexDigits(escaped, i + 1, i + 3));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Tokens are kept as their SHA-256 only: Redis holds no secret a client could replay. */
  static String tokenHash(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String id(String escapedId) {
    return "pj:id:" + escapedId;
  }

  static String nodeIds(String node) {
    return "pj:node:" + node + ":ids";
  }

  static String lease(String node) {
    return "pj:lease:" + node;
  }

  static final String NODES = "pj:nodes";

  static String queue(String escapedId) {
    return "pj:q:" + escapedId;
  }

  static final String QUEUE_AGE = "pj:qage";
  static final String QUEUE_BYTES = "pj:qbytes";
  static final String QUEUE_SENDERS = "pj:qsenders";
  static final String QUEUE_TOTALS = "pj:qtotals";

  static String channel(String node) {
    return "pj:node:" + node;
  }
}
