package webcall.rooms;

import java.util.regex.Pattern;

/**
 * The room id rule, owned here with the rooms: the page route serves only these names, and {@code
 * join-room} refuses any other.
 */
public final class RoomId {
  /**
   * Letters, digits, '-' and '_', 1 to 64 of them; but not the operator paths served on the call
   * port ({@code /healthz}, {@code /readyz}) nor {@code metrics}, which the admin listener serves:
   * they can never be rooms.
   */
  private static final Pattern RULE =
      Pattern.compile("(?!(?:healthz|readyz|metrics)$)[A-Za-z0-9_-]{1,64}");

  private RoomId() {}

  public static boolean isValid(String id) {
    return id != null && RULE.matcher(id).matches();
  }
}
