package webcall.socketio;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Socket.IO v5 packet format (socket.io-protocol): decoding with the checks of the reference
 * parser's decoder and {@code isPacketValid}, and encoding, with binary attachments as
 * placeholders. Stateless and thread-safe.
 */
final class Parser {
  /** Event names a client may not send: they mean something to the libraries themselves. */
  static final Set<String> RESERVED =
      Set.of(
          "connect",
          "connect_error",
          "disconnect",
          "disconnecting",
          "newListener",
          "removeListener");

  /**
   * Ack ids are JavaScript numbers the client counts up; more digits than a safe integer has is no
   * client's.
   */
  private static final int MAX_ID_DIGITS = 15;

  /**
   * JSON with the limits of docs/limits.md: deep nesting and huge strings are refused while
   * parsing.
   */
  private static final ObjectMapper json =
      new ObjectMapper(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(32)
                          .maxStringLength(100_000)
                          .build())
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final int maxAttachments;

  Parser(int maxAttachments) {
    this.maxAttachments = maxAttachments;
  }

  /** Reads one packet's text; attachments, if announced, come as the next binary messages. */
  Packet decode(String s) throws ProtocolError {
    if (s.isEmpty()) {
      throw new ProtocolError("empty-packet");
    }
    PacketType type = PacketType.of(s.charAt(0));
    if (type == null) {
      throw new ProtocolError("unknown-packet-type");
    }
    int i = 1;
    int attachments = 0;
    if (type == PacketType.BINARY_EVENT || type == PacketType.BINARY_ACK) {
      int dash = s.indexOf('-', i);
      // Checked before anything is allocated for them: at most a few digits, at most
      // maxAttachments.
      if (dash < 0 || dash == i || dash - i > 3 || !digits(s, i, dash)) {
        throw new ProtocolError("illegal-attachments");
      }
      attachments = Integer.parseInt(s, i, dash, 10);
      if (attachments > maxAttachments) {
        throw new ProtocolError("too-many-attachments");
      }
      i = dash + 1;
    }
    String nsp = "/";
    if (i < s.length() && s.charAt(i) == '/') {
      int comma = s.indexOf(',', i);
      int end = comma < 0 ? s.length() : comma;
      nsp = s.substring(i, end);
      i = comma < 0 ? s.length() : comma + 1;
    }
    long id = -1;
    int idEnd = i;
    while (idEnd < s.length() && Character.isDigit(s.charAt(idEnd)) && s.charAt(idEnd) < 128) {
      idEnd++;
    }
    if (idEnd > i) {
      if (idEnd - i > MAX_ID_DIGITS) {
        throw new ProtocolError("bad-ack-id");
      }
      id = Long.parseLong(s, i, idEnd, 10);
      i = idEnd;
    }
    Object data = Packet.NONE;
    if (i < s.length()) {
      try {
        data = json.readValue(s.substring(i), Object.class);
      } catch (JsonProcessingException e) {
        throw new ProtocolError("bad-json");
      }
    }
    Packet p = new Packet(type, nsp, id, data, attachments);
    if (!valid(p)) {
      throw new ProtocolError("invalid-packet");
    }
    return p;
  }

  private static boolean digits(String s, int from, int to) {
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** The reference's isPacketValid, with the binary types checked as their plain ones. */
  static boolean valid(Packet p) {
    Object d = p.data();
    return switch (p.type()) {
      case CONNECT -> d == Packet.NONE || d instanceof Map;
      case DISCONNECT -> d == Packet.NONE;
      case CONNECT_ERROR -> d instanceof String || d instanceof Map;
      case EVENT, BINARY_EVENT ->
          d instanceof List<?> l
              && !l.isEmpty()
              && (l.get(0) instanceof Number
                  || l.get(0) instanceof String name && !RESERVED.contains(name));
      case ACK, BINARY_ACK -> d instanceof List;
    };
  }

  /**
   * Puts the attachments in place of their placeholders; a placeholder without its attachment is an
   * error.
   */
  static Object reconstruct(Object data, List<byte[]> attachments) throws ProtocolError {
    if (data instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(reconstruct(o, attachments));
      }
      return out;
    }
    if (data instanceof Map<?, ?> map) {
      if (Boolean.TRUE.equals(map.get("_placeholder")) && map.size() == 2) {
        if (map.get("num") instanceof Integer n && n >= 0 && n < attachments.size()) {
          return attachments.get(n);
        }
        throw new ProtocolError("illegal-attachments");
      }
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.put(e.getKey(), reconstruct(e.getValue(), attachments));
      }
      return out;
    }
    return data;
  }

  /**
   * The Engine.IO messages of one packet: its text, then its attachments. {@code data} may hold
   * byte arrays anywhere; they become placeholders and attachments (BINARY_EVENT/BINARY_ACK), as
   * the reference encoder does.
   */
  static List<Object> encode(PacketType type, String nsp, long id, Object data) {
    List<byte[]> attachments = new ArrayList<>(0);
    Object plain = data == Packet.NONE ? data : deconstruct(data, attachments);
    if (!attachments.isEmpty()) {
      type =
          type == PacketType.ACK
              ? PacketType.BINARY_ACK
              : type == PacketType.EVENT ? PacketType.BINARY_EVENT : type;
    }
    StringBuilder sb = new StringBuilder(64);
    sb.append(type.digit());
    if (type == PacketType.BINARY_EVENT || type == PacketType.BINARY_ACK) {
      sb.append(attachments.size()).append('-');
    }
    if (!"/".equals(nsp)) {
      sb.append(nsp).append(',');
    }
    if (id >= 0) {
      sb.append(id);
    }
    if (plain != Packet.NONE) {
      try {
        sb.append(json.writeValueAsString(plain));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
      }
    }
    List<Object> out = new ArrayList<>(1 + attachments.size());
    out.add(sb.toString());
    out.addAll(attachments);
    return out;
  }

  private static Object deconstruct(Object data, List<byte[]> attachments) {
    if (data instanceof byte[] bytes) {
      Map<String, Object> placeholder = new LinkedHashMap<>();
      placeholder.put("_placeholder", true);
      placeholder.put("num", attachments.size());
      attachments.add(bytes);
      return placeholder;
    }
    if (!hasBinary(data)) {
      return data;
    }
    if (data instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(deconstruct(o, attachments));
      }
      return out;
    }
    if (data instanceof Object[] array) {
      return deconstruct(java.util.Arrays.asList(array), attachments);
    }
    Map<Object, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) data).entrySet()) {
      out.put(e.getKey(), deconstruct(e.getValue(), attachments));
    }
    return out;
  }

  private static boolean hasBinary(Object data) {
    if (data instanceof byte[]) {
      return true;
    }
    if (data instanceof Iterable<?> it) {
      for (Object o : it) {
        if (hasBinary(o)) {
          return true;
        }
      }
    } else if (data instanceof Object[] array) {
      for (Object o : array) {
        if (hasBinary(o)) {
          return true;
        }
      }
    } else if (data instanceof Map<?, ?> map) {
      for (Object o : map.values()) {
        if (hasBinary(o)) {
          return true;
        }
      }
    }
    return false;
  }
}
