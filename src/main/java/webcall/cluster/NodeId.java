package webcall.cluster;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * This process's name in the cluster: random per start, so a restarted node never inherits the ids
 * or lease of its former self. Only hex digits, so it is safe in key and channel names.
 */
public record NodeId(String value) {
  private static final SecureRandom RANDOM = new SecureRandom();

  public NodeId {
    if (!value.matches("[0-9a-f]{1,32}")) {
      throw new IllegalArgumentException("node id must be 1 to 32 hex digits: " + value);
    }
  }

  public static NodeId random() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return new NodeId(HexFormat.of().formatHex(b));
  }

  @Override
  public String toString() {
    return value;
  }
}
