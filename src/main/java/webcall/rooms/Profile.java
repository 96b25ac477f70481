package webcall.rooms;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the others see of a participant: a display name and whether the microphone is muted, the
 * camera off, or the screen shared. Changed only through {@link RoomDirectory}.
 */
public record Profile(String name, boolean muted, boolean cameraOff, boolean sharing) {
  public static final Profile ANONYMOUS = new Profile("", false, false, false);

  /** The wire form, with the PeerJS id: {id, name, muted, cameraOff, sharing}. */
  public Map<String, Object> toWire(String peerId) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", peerId);
    m.put("name", name);
    m.put("muted", muted);
    m.put("cameraOff", cameraOff);
    m.put("sharing", sharing);
    return m;
  }

  /**
   * Applies the fields present in a client's update. Returns null if a field has the wrong type or
   * the name is longer than {@code maxName}; unknown fields are ignored.
   */
  public Profile with(Map<?, ?> update, int maxName) {
    String n = name;
    if (update.containsKey("name")) {
      if (!(update.get("name") instanceof String s) || (n = UserText.clean(s, maxName)) == null) {
        return null;
      }
    }
    Boolean m = flag(update, "muted", muted);
    Boolean c = flag(update, "cameraOff", cameraOff);
    Boolean sh = flag(update, "sharing", sharing);
    if (m == null || c == null || sh == null) {
      return null;
    }
    return new Profile(n, m, c, sh);
  }

  private static Boolean flag(Map<?, ?> update, String key, boolean current) {
    if (!update.containsKey(key)) {
      return current;
    }
    return update.get(key) instanceof Boolean b ? b : null;
  }
}
