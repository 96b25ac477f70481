package webcall;

import java.time.Duration;
import picocli.CommandLine.Option;
import webcall.peerjs.PeerJsOptions;

/**
 * The PeerJS server's settings, with the reference CLI's names, shared by the call server ({@code
 * webcall}) and the standalone PeerJS server ({@code webcall peerjs}).
 */
final class PeerJsFlags {
  @Option(
      names = {"--peerjs-path", "--path"},
      defaultValue = "${env:WEBCALL_PEERJS_PATH}",
      description =
          "Where the PeerJS server is mounted; its WebSocket is {path}/peerjs (WEBCALL_PEERJS_PATH)."
              + " Default: /peerjs in webcall, / in webcall peerjs")
  String path;

  @Option(
      names = {"--peerjs-key", "--key", "-k"},
      defaultValue = "${env:WEBCALL_PEERJS_KEY:-peerjs}",
      description =
          "Key PeerJS clients must present (WEBCALL_PEERJS_KEY). Default: ${DEFAULT-VALUE}")
  String key;

  @Option(
      names = {"--expire_timeout", "-t"},
      defaultValue = "${env:WEBCALL_EXPIRE_TIMEOUT:-5000}",
      description =
          "ms a message waits for an absent peer before EXPIRE (WEBCALL_EXPIRE_TIMEOUT). Default: ${DEFAULT-VALUE}")
  long expireTimeout;

  @Option(
      names = "--alive_timeout",
      defaultValue = "${env:WEBCALL_ALIVE_TIMEOUT:-60000}",
      description =
          "ms without HEARTBEAT before a peer is dropped (WEBCALL_ALIVE_TIMEOUT). Default: ${DEFAULT-VALUE}")
  long aliveTimeout;

  @Option(
      names = "--cleanup_out_msgs",
      defaultValue = "${env:WEBCALL_CLEANUP_OUT_MSGS:-1000}",
      description =
          "ms between sweeps of expired messages (WEBCALL_CLEANUP_OUT_MSGS). Default: ${DEFAULT-VALUE}")
  long cleanupOutMsgs;

  @Option(
      names = {"--concurrent_limit", "-c"},
      defaultValue = "${env:WEBCALL_CONCURRENT_LIMIT:-5000}",
      description =
          "Most PeerJS ids registered at once (WEBCALL_CONCURRENT_LIMIT). Default: ${DEFAULT-VALUE}")
  int concurrentLimit;

  @Option(
      names = "--allow_discovery",
      arity = "0..1",
      defaultValue = "${env:WEBCALL_ALLOW_DISCOVERY:-false}",
      description =
          "Let GET {path}/{key}/peers list connected ids (WEBCALL_ALLOW_DISCOVERY). Default: ${DEFAULT-VALUE}")
  boolean allowDiscovery;

  /** The options, with {@code defaultPath} when neither --path nor WEBCALL_PEERJS_PATH is given. */
  PeerJsOptions toOptions(String defaultPath) {
    return new PeerJsOptions(
        key,
        path == null || path.isEmpty() ? defaultPath : path,
        Duration.ofMillis(expireTimeout),
        Duration.ofMillis(aliveTimeout),
        Duration.ofMillis(cleanupOutMsgs),
        concurrentLimit,
        allowDiscovery,
        PeerJsOptions.Limits.DEFAULT);
  }
}
