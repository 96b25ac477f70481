package webcall.peerjs;

import java.util.regex.Pattern;

/** The rules for PeerJS ids and tokens (docs/limits.md). */
public final class PeerIds {
  /** The peerjs client's own id rule, capped at 64 characters. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*");

  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9]{1,64}");

  private PeerIds() {}

  public static boolean isValidId(String id) {
    return id != null && id.length() <= 64 && ID.matcher(id).matches();
  }

  public static boolean isValidToken(String token) {
    return token != null && TOKEN.matcher(token).matches();
  }
}
