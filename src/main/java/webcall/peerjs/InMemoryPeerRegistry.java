package webcall.peerjs;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@link PeerRegistry} of a single node: every id's socket is here. */
public final class InMemoryPeerRegistry implements PeerRegistry {
  private final int concurrentLimit;
  private final Map<String, PeerClient> clients = new ConcurrentHashMap<>();
  private final AtomicInteger registered = new AtomicInteger();

  /**
   * @param concurrentLimit the most ids registered at once (the reference's concurrent_limit)
   */
  public InMemoryPeerRegistry(int concurrentLimit) {
    this.concurrentLimit = concurrentLimit;
  }

  @Override
  public Registration register(String id, String token, PeerLink link, long now) {
    Registration[] result = new Registration[1];
    clients.compute(
        id,
        (k, existing) -> {
          if (existing != null) {
            if (!existing.tokenMatches(token)) {
              result[0] = new Registration(Outcome.ID_TAKEN, existing, null);
              return existing;
            }
            PeerLink old = existing.link();
            existing.attach(link);
            // The new socket gets OPEN like a fresh one, so it gets a fresh alive_timeout too.
            existing.heartbeat(now);
            result[0] = new Registration(Outcome.TAKEN_OVER, existing, old);
            return existing;
          }
          if (registered.incrementAndGet() > concurrentLimit) {
            registered.decrementAndGet();
            result[0] = new Registration(Outcome.LIMIT_REACHED, null, null);
            return null;
          }
          PeerClient client = new PeerClient(k, token, link, now);
          result[0] = new Registration(Outcome.OPENED, client, null);
          return client;
        });
    return result[0];
  }

  @Override
  public boolean unregister(PeerClient client, PeerLink link) {
    boolean[] removed = new boolean[1];
    clients.computeIfPresent(
        client.id(),
        (k, current) -> {
          if (current == client && current.link() == link) {
            removed[0] = true;
            registered.decrementAndGet();
            return null;
          }
          return current;
        });
    return removed[0];
  }

  @Override
  public PeerClient get(String id) {
    return id == null ? null : clients.get(id);
  }

  @Override
  public Optional<String> remoteNode(String id) {
    return Optional.empty();
  }

  @Override
  public int size() {
    return registered.get();
  }

  @Override
  public Collection<String> ids() {
    return new ArrayList<>(clients.keySet());
  }

  @Override
  public Collection<PeerClient> localClients() {
    return Collections.unmodifiableCollection(clients.values());
  }
}
