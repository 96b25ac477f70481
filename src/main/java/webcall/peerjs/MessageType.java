package webcall.peerjs;

import java.util.HashMap;
import java.util.Map;

/** The PeerJS message types, each with its name on the wire. */
public enum MessageType {
  OPEN("OPEN"),
  ERROR("ERROR"),
  ID_TAKEN("ID-TAKEN"),
  HEARTBEAT("HEARTBEAT"),
  OFFER("OFFER"),
  ANSWER("ANSWER"),
  CANDIDATE("CANDIDATE"),
  LEAVE("LEAVE"),
  EXPIRE("EXPIRE");

  private static final Map<String, MessageType> BY_WIRE_NAME = new HashMap<>();

  static {
    for (MessageType t : values()) {
      BY_WIRE_NAME.put(t.wireName, t);
    }
  }

  private final String wireName;

  MessageType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** The type for an exact, case-sensitive wire name, or null for anything else. */
  public static MessageType fromWire(String name) {
    return name == null ? null : BY_WIRE_NAME.get(name);
  }

  /** Types a client may send that the server passes on to another client. */
  public boolean isRelayedFromClients() {
    return this == OFFER || this == ANSWER || this == CANDIDATE || this == LEAVE;
  }
}
