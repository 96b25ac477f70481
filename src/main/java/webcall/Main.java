package webcall;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import webcall.config.ServerConfig;
import webcall.ice.IceFlags;
import webcall.peerjs.PeerJsOptions;
import webcall.server.WebcallServer;
import webcall.tls.Certificates;
import webcall.tls.TlsFlags;
import webcall.tls.TlsOptions;

/** The command line: {@code webcall} runs the call server. Every flag has an environment variable. */
@Command(
    name = "webcall",
    mixinStandardHelpOptions = true,
    version = "webcall 0.1.0",
    sortOptions = false,
    description = "Self-hosted P2P video calls: the call page, Socket.IO rooms and a PeerJS server on one port.",
    footer = "%nEvery flag can also be set by the environment variable shown in its description.")
public final class Main implements Callable<Integer> {
  @Option(
      names = "--host",
      defaultValue = "${env:WEBCALL_HOST:-0.0.0.0}",
      description = "Address to listen on (WEBCALL_HOST). Default: ${DEFAULT-VALUE}")
  String host;

  @Option(
      names = "--port",
      defaultValue = "${env:WEBCALL_PORT:-3000}",
      description = "Port to listen on, 0 for any free port (WEBCALL_PORT). Default: ${DEFAULT-VALUE}")
  int port;

  @Option(
      names = "--allowed-origin",
      split = ",",
      defaultValue = "${env:WEBCALL_ALLOWED_ORIGINS:-}",
      description =
          "Extra origins (e.g. https://app.example.org) whose pages may connect, besides this server's own;"
              + " comma-separated or repeated (WEBCALL_ALLOWED_ORIGINS).")
  List<String> allowedOrigins = new ArrayList<>();

  @Option(
      names = "--room-capacity",
      defaultValue = "${env:WEBCALL_ROOM_CAPACITY:-8}",
      description = "Participants per room; a full mesh grows as n² (WEBCALL_ROOM_CAPACITY). Default: ${DEFAULT-VALUE}")
  int roomCapacity;

  @Option(
      names = "--max-payload",
      defaultValue = "${env:WEBCALL_MAX_PAYLOAD:-1000000}",
      description = "Largest Socket.IO message in bytes (WEBCALL_MAX_PAYLOAD). Default: ${DEFAULT-VALUE}")
  int maxPayload;

  @Option(
      names = "--proxied",
      defaultValue = "${env:WEBCALL_PROXIED:-false}",
      description = "Behind a reverse proxy: trust X-Forwarded-Host, -Proto and -For (WEBCALL_PROXIED). Default: ${DEFAULT-VALUE}")
  boolean proxied;

  @Mixin PeerJsFlags peerjs;

  @Mixin IceFlags ice;

  @Mixin TlsFlags tls;

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new Main());
    // A setting that cannot work (port taken, bad certificate, TURN URL without secret) is one clear line, not a trace.
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println("webcall: " + e.getMessage());
      return 2;
    });
    System.exit(cli.execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    List<String> origins = allowedOrigins.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    TlsOptions tlsOptions = tls.toOptions(host);
    ServerConfig config = new ServerConfig(host, port, origins, roomCapacity, maxPayload, proxied,
        peerjs.toOptions(), ice.toOptions(), tlsOptions);
    WebcallServer server = new WebcallServer(config);
    InetSocketAddress bound = server.start();
    String scheme = tlsOptions.enabled() ? "https" : "http";
    System.out.println("webcall listening on " + scheme + "://" + host + ":" + bound.getPort());
    if (tlsOptions.enabled()) {
      printCertificate(tlsOptions);
    }
    if (server.redirectAddress() != null) {
      System.out.println("Plain HTTP on port " + server.redirectAddress().getPort() + " redirects to HTTPS.");
    }
    if ("0.0.0.0".equals(host) || "::".equals(host)) {
      System.out.println("Open " + scheme + "://localhost:" + bound.getPort() + "/ in a browser to start a call.");
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "webcall-shutdown"));
    stopped.await();
    return 0;
  }

  /** So that a person opening the page can check that the certificate the browser shows is this one. */
  private static void printCertificate(TlsOptions tls) {
    try {
      var cert = Certificates.read(tls.certFile()).get(0);
      System.out.println("TLS certificate " + tls.certFile() + " (" + cert.getSubjectX500Principal().getName() + ")");
      System.out.println("TLS certificate SHA-256 fingerprint: " + Certificates.sha256Fingerprint(cert));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The PeerJS server's settings, with the reference CLI's names. */
  static final class PeerJsFlags {
    @Option(
        names = {"--peerjs-path", "--path"},
        defaultValue = "${env:WEBCALL_PEERJS_PATH:-/peerjs}",
        description = "Where the PeerJS server is mounted (WEBCALL_PEERJS_PATH). Default: ${DEFAULT-VALUE}")
    String path;

    @Option(
        names = {"--peerjs-key", "--key"},
        defaultValue = "${env:WEBCALL_PEERJS_KEY:-peerjs}",
        description = "Key PeerJS clients must present (WEBCALL_PEERJS_KEY). Default: ${DEFAULT-VALUE}")
    String key;

    @Option(
        names = "--expire_timeout",
        defaultValue = "${env:WEBCALL_EXPIRE_TIMEOUT:-5000}",
        description = "ms a message waits for an absent peer before EXPIRE (WEBCALL_EXPIRE_TIMEOUT). Default: ${DEFAULT-VALUE}")
    long expireTimeout;

    @Option(
        names = "--alive_timeout",
        defaultValue = "${env:WEBCALL_ALIVE_TIMEOUT:-60000}",
        description = "ms without HEARTBEAT before a peer is dropped (WEBCALL_ALIVE_TIMEOUT). Default: ${DEFAULT-VALUE}")
    long aliveTimeout;

    @Option(
        names = "--cleanup_out_msgs",
        defaultValue = "${env:WEBCALL_CLEANUP_OUT_MSGS:-1000}",
        description = "ms between sweeps of expired messages (WEBCALL_CLEANUP_OUT_MSGS). Default: ${DEFAULT-VALUE}")
    long cleanupOutMsgs;

    @Option(
        names = "--concurrent_limit",
        defaultValue = "${env:WEBCALL_CONCURRENT_LIMIT:-5000}",
        description = "Most PeerJS ids registered at once (WEBCALL_CONCURRENT_LIMIT). Default: ${DEFAULT-VALUE}")
    int concurrentLimit;

    @Option(
        names = "--allow_discovery",
        defaultValue = "${env:WEBCALL_ALLOW_DISCOVERY:-false}",
        description = "Let GET {path}/{key}/peers list connected ids (WEBCALL_ALLOW_DISCOVERY). Default: ${DEFAULT-VALUE}")
    boolean allowDiscovery;

    PeerJsOptions toOptions() {
      return new PeerJsOptions(
          key,
          path,
          Duration.ofMillis(expireTimeout),
          Duration.ofMillis(aliveTimeout),
          Duration.ofMillis(cleanupOutMsgs),
          concurrentLimit,
          allowDiscovery,
          PeerJsOptions.Limits.DEFAULT);
    }
  }
}
