package webcall;

import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Option;
import webcall.cluster.NodeId;
import webcall.cluster.RedisStore;
import webcall.peerjs.PeerJsMetrics;
import webcall.peerjs.PeerJsOptions;
import webcall.peerjs.Realm;

/**
 * {@code --redis-url}, shared by both commands: with it, this process is one node of a cluster
 * whose PeerJS state is in Redis; without it, nothing changes and nothing else is needed.
 */
final class RedisFlags {
  @Option(
      names = "--redis-url",
      defaultValue = "${env:WEBCALL_REDIS_URL}",
      description =
          "Redis shared by the nodes of a cluster: redis://[user:pass@]host:port[/db], rediss:// for TLS, or"
              + " redis-sentinel://host:port[,host:port]/db#master; none runs one node in memory"
              + " (WEBCALL_REDIS_URL)")
  String url;

  @Option(
      names = "--node-lease-seconds",
      defaultValue = "${env:WEBCALL_NODE_LEASE_SECONDS:-10}",
      description =
          "With --redis-url: how long a node's PeerJS ids outlive it when it dies without a goodbye"
              + " (SIGKILL, a lost machine); renewed every third of it (WEBCALL_NODE_LEASE_SECONDS)."
              + " Default: ${DEFAULT-VALUE}")
  int leaseSeconds = 10;

  boolean enabled() {
    return url != null && !url.isBlank();
  }

  /** The PeerJS state: in Redis through {@code store}, or in memory when it is null. */
  Realm realm(RedisStore store, PeerJsOptions options, PeerJsMetrics metrics) {
    return store == null
        ? PeerJsState.inMemory(options, metrics)
        : PeerJsState.clustered(options, metrics, store, lease());
  }

  /** How long a node that stops renewing its leases is taken for alive: its ids and its members. */
  Duration lease() {
    return Duration.ofSeconds(leaseSeconds);
  }

  /** Connects when a URL is given (null otherwise), and says so on {@code out}. */
  RedisStore connect(PrintWriter out) {
    if (!enabled()) {
      return null;
    }
    if (leaseSeconds < 1 || leaseSeconds > 3600) {
      throw new IllegalArgumentException("--node-lease-seconds must be 1..3600");
    }
    var uri = RedisStore.parse(url.trim());
    NodeId node = NodeId.random();
    RedisStore store = RedisStore.connect(uri, node, "webcall:");
    // The address only: a URL may hold a password.
    String where =
        uri.getHost() != null
            ? uri.getHost() + ":" + uri.getPort()
            : "sentinels "
                + uri.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort()).toList();
    out.println("Cluster node " + node + " on Redis " + where);
    out.flush();
    return store;
  }
}
