package webcall.rooms;

import webcall.peerjs.PeerClient;
import webcall.peerjs.Realm;

/**
 * Whether a join-room's user id is a PeerJS id connected now with the token the client gave: the
 * proof that the id is the client's own. In a cluster a page's Socket.IO and PeerJS connections may
 * be on different nodes, so a shared store answers for the ids held elsewhere.
 */
public interface PeerCheck {
  /**
   * Whether {@code peerId} is connected with {@code token}; with {@code token} null (the original
   * page's join, --allow-legacy-join) whether it is connected at all.
   */
  boolean connected(String peerId, String token);

  /** The ids connected to this node's PeerJS server. */
  static PeerCheck local(Realm realm) {
    return (peerId, token) -> {
      PeerClient p = peerId == null ? null : realm.get(peerId);
      return p != null && (token == null || p.tokenMatches(token));
    };
  }
}
