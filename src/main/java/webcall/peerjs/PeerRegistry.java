package webcall.peerjs;

import java.util.Collection;
import java.util.Optional;

/**
 * Which PeerJS ids are taken, with which token, and which node holds the socket that speaks for
 * each. Register, take over and unregister one id are atomic here: callers never lock. A shared
 * implementation (a cluster) keeps the ids and tokens of every node, and the {@link PeerClient}s of
 * this node's sockets.
 */
public interface PeerRegistry {

  /** What became of a registration attempt. */
  enum Outcome {
    /** A new id: send OPEN, then the queue. */
    OPENED,
    /** The same id and token from a new socket: the old socket is closed, OPEN is sent again. */
    TAKEN_OVER,
    /** The id is held with another token. */
    ID_TAKEN,
    /** The server holds concurrent_limit ids already. */
    LIMIT_REACHED,
    /** The store shared by a cluster's nodes cannot be reached now: nothing was registered. */
    UNAVAILABLE
  }

  /**
   * @param client the id's client (OPENED, TAKEN_OVER) or its holder (ID_TAKEN: null when that is
   *     on another node); null for LIMIT_REACHED and UNAVAILABLE
   * @param replaced on TAKEN_OVER, the link that spoke for the id until now (null when it was on
   *     another node, which closes it itself)
   */
  record Registration(Outcome outcome, PeerClient client, PeerLink replaced) {}

  /**
   * Registers {@code id} for {@code link}, or says why not. The same id and token again is a take
   * over: the client's link becomes {@code link} and its silence counts from {@code now}. The
   * caller has validated id and token already.
   */
  Registration register(String id, String token, PeerLink link, long now);

  /**
   * Removes the registration if {@code link} still speaks for it. A link that was taken over, or an
   * id that was freed and taken again, is left alone (the reference server removes by id and so
   * drops the new holder).
   *
   * @return whether it was removed
   */
  boolean unregister(PeerClient client, PeerLink link);

  /** The client of {@code id} whose socket is on this node, or null (null for a null id). */
  PeerClient get(String id);

  /**
   * The node that holds the socket of {@code id} when that is another node; empty when the id is
   * here or not registered at all.
   */
  Optional<String> remoteNode(String id);

  /** Registered ids, on every node. */
  int size();

  /** A copy of the registered ids, on every node. */
  Collection<String> ids();

  /**
   * This node's clients, for the sweeps and the shutdown: a view that may or may not show changes
   * made while it is read, never a copy (the liveness sweep reads it every 300 ms).
   */
  Collection<PeerClient> localClients();
}
