package webcall.cluster;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import webcall.peerjs.PeerIds;
import webcall.rooms.PeerCheck;
import webcall.rooms.RoomsUnavailable;

/**
 * A join-room's PeerJS id checked wherever it is connected: this node's PeerJS server first (no
 * Redis for a page whose two connections landed on one node), then the cluster's id registry in
 * Redis as the PeerJS side keeps it: {@code pj:id:{id}} a hash with {@code n} (the node holding the
 * socket) and {@code t} (the SHA-256 of the token, hex), valid while {@code pj:lease:{n}} exists.
 * Until that registry is wired (the PeerJS half of the cluster) no such key exists and only this
 * node's ids pass, as before.
 */
public final class RedisPeerCheck implements PeerCheck {
  private final RedisStore store;
  private final PeerCheck local;

  public RedisPeerCheck(RedisStore store, PeerCheck local) {
    this.store = store;
    this.local = local;
  }

  @Override
  public boolean connected(String peerId, String token) {
    if (local.connected(peerId, token)) {
      return true;
    }
    if (!PeerIds.isValidId(peerId)) {
      return false; // no client holds such an id: Redis is not asked
    }
    if (!store.isUp()) {
      throw new RoomsUnavailable("Redis is down", null);
    }
    try {
      List<KeyValue<String, byte[]>> held =
          store.sync().hmget(store.key("pj:id:" + RedisRoomDirectory.escape(peerId)), "n", "t");
      if (!held.get(0).hasValue() || !held.get(1).hasValue()) {
        return false;
      }
      String node = new String(held.get(0).getValue(), StandardCharsets.UTF_8);
      String hash = new String(held.get(1).getValue(), StandardCharsets.UTF_8);
      if (token != null
          && !MessageDigest.isEqual(
              hash.getBytes(StandardCharsets.US_ASCII),
              sha256(token).getBytes(StandardCharsets.US_ASCII))) {
        return false;
      }
      return node.matches("[0-9a-f]{1,32}")
          && store.sync().exists(store.key("pj:lease:" + node)) == 1L;
    } catch (RedisException e) {
      throw new RoomsUnavailable("Redis: " + e.getMessage(), e);
    }
  }

  static String sha256(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
