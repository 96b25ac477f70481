package webcall;

import java.io.PrintWriter;
import picocli.CommandLine.Option;
import webcall.cluster.NodeId;
import webcall.cluster.RedisStore;

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

  boolean enabled() {
    return url != null && !url.isBlank();
  }

  /** Connects when a URL is given (null otherwise), and says so on {@code out}. */
  RedisStore connect(PrintWriter out) {
    if (!enabled()) {
      return null;
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
