package webcall.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import webcall.rooms.Profile;
import webcall.rooms.Room;
import webcall.rooms.RoomDirectory.Knock;
import webcall.rooms.RoomDirectory.Member;
import webcall.rooms.RoomPassword;

/**
 * A {@link Room} as the JSON kept in Redis, whole: members in order, host, closure, the password's
 * salt and hash only ({@link RoomPassword#encoded()}), knocks in order, removed ids.
 */
final class RoomJson {
  private RoomJson() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A room blob larger than this is refused: nothing a client sends may grow a key unbounded. */
  static final int MAX_BYTES = 256 * 1024;

  static byte[] write(Room r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", r.id());
    ArrayNode members = o.putArray("m");
    for (Member m : r.members()) {
      ObjectNode n = members.addObject();
      n.put("s", m.session());
      n.put("p", m.peerId());
      profile(n, m.profile());
    }
    o.put("host", r.host());
    o.put("locked", r.locked());
    o.put("knock", r.knock());
    if (r.password() != null) {
      o.put("pw", r.password().encoded());
    }
    ArrayNode knocks = o.putArray("k");
    for (Knock k : r.knocks()) {
      ObjectNode n = knocks.addObject();
      n.put("id", k.id());
      n.put("s", k.session());
      n.put("p", k.peerId());
      profile(n, k.profile());
    }
    ArrayNode removed = o.putArray("rm");
    r.removed().forEach(removed::add);
    try {
      byte[] out = JSON.writeValueAsBytes(o);
      if (out.length > MAX_BYTES) {
        throw new IllegalStateException("room too large to store: " + out.length + " bytes");
      }
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void profile(ObjectNode n, Profile p) {
    n.put("n", p.name());
    n.put("mu", p.muted());
    n.put("c", p.cameraOff());
    n.put("sh", p.sharing());
  }

  private static Profile profile(JsonNode n) {
    return new Profile(
        n.path("n").asText(""),
        n.path("mu").asBoolean(),
        n.path("c").asBoolean(),
        n.path("sh").asBoolean());
  }

  static Room read(byte[] json) {
    if (json == null || json.length == 0) {
      return null;
    }
    try {
      JsonNode o = JSON.readTree(json);
      String id = o.get("id").asText();
      List<Member> members = new ArrayList<>();
      for (JsonNode n : o.path("m")) {
        members.add(new Member(n.get("s").asText(), id, n.get("p").asText(), profile(n)));
      }
      List<Knock> knocks = new ArrayList<>();
      for (JsonNode n : o.path("k")) {
        knocks.add(
            new Knock(
                n.get("id").asText(), n.get("s").asText(), id, n.get("p").asText(), profile(n)));
      }
      Set<String> removed = new LinkedHashSet<>();
      for (JsonNode n : o.path("rm")) {
        removed.add(n.asText());
      }
      JsonNode pw = o.get("pw");
      return new Room(
          id,
          members,
          o.get("host").asText(),
          o.path("locked").asBoolean(),
          o.path("knock").asBoolean(),
          pw == null ? null : RoomPassword.decode(pw.asText()),
          knocks,
          removed);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable room in Redis", e);
    }
  }
}
