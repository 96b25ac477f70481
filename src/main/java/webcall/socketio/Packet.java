package webcall.socketio;

import java.util.List;

/**
 * One Socket.IO v5 packet as read from the wire, before its attachments (if any) are in.
 *
 * @param type the packet type digit
 * @param nsp the namespace, "/" when none was written
 * @param id the ack id, or -1 for none
 * @param data the parsed JSON payload (maps, lists, strings, numbers, booleans, null), or {@link
 *     #NONE} when absent
 * @param attachments how many binary attachments follow (BINARY_EVENT and BINARY_ACK only)
 */
record Packet(PacketType type, String nsp, long id, Object data, int attachments) {
  /** The absent payload, told apart from JSON {@code null}. */
  static final Object NONE =
      new Object() {
        @Override
        public String toString() {
          return "(none)";
        }
      };

  /**
   * The event name and its arguments of an EVENT packet (the parser checked that the first is a
   * name).
   */
  List<Object> array() {
    @SuppressWarnings("unchecked")
    List<Object> list = (List<Object>) data;
    return list;
  }
}
