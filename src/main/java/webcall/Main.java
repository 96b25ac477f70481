package webcall;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import webcall.cluster.RedisStore;
import webcall.cluster.RoomsLease;
import webcall.config.ServerConfig;
import webcall.ice.IceFlags;
import webcall.ops.AdminListener;
import webcall.ops.Metrics;
import webcall.peerjs.PeerJsMetrics;
import webcall.peerjs.PeerJsOptions;
import webcall.rooms.RoomsWiring;
import webcall.rooms.SignalingLimits;
import webcall.server.HeapSizing;
import webcall.server.WebcallServer;
import webcall.tls.Certificates;
import webcall.tls.TlsFlags;
import webcall.tls.TlsOptions;

/**
 * The command line: {@code webcall} runs the call server. Every flag has an environment variable.
 */
@Command(
    name = "webcall",
    subcommands = PeerJsCommand.class,
    mixinStandardHelpOptions = true,
    version = "webcall 0.1.0",
    sortOptions = false,
    description =
        "Self-hosted P2P video calls: the call page, Socket.IO rooms and a PeerJS server on one port.",
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
      description =
          "Port to listen on, 0 for any free port (WEBCALL_PORT). Default: ${DEFAULT-VALUE}")
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
      description =
          "Participants per room; a full mesh grows as n² (WEBCALL_ROOM_CAPACITY). Default: ${DEFAULT-VALUE}")
  int roomCapacity;

  @Option(
      names = "--max-payload",
      defaultValue = "${env:WEBCALL_MAX_PAYLOAD:-1000000}",
      description =
          "Largest Socket.IO message in bytes (WEBCALL_MAX_PAYLOAD). Default: ${DEFAULT-VALUE}")
  int maxPayload;

  @Option(
      names = "--proxied",
      arity = "0..1",
      defaultValue = "${env:WEBCALL_PROXIED:-false}",
      description =
          "Behind a reverse proxy: trust X-Forwarded-Host, -Proto and -For (the last address as the client's)"
              + " (WEBCALL_PROXIED). Default: ${DEFAULT-VALUE}")
  boolean proxied;

  @Option(
      names = "--upload-budget-kbps",
      defaultValue = "${env:WEBCALL_UPLOAD_BUDGET_KBPS:-2500}",
      description =
          "What each page sends in all, in kbit/s, shared among the others in its call; at least 100"
              + " (WEBCALL_UPLOAD_BUDGET_KBPS). Default: ${DEFAULT-VALUE}")
  int uploadBudgetKbps;

  @Option(
      names = "--drain-timeout",
      defaultValue = "${env:WEBCALL_DRAIN_TIMEOUT:-20s}",
      converter = DrainTimeout.class,
      description =
          "On SIGTERM or SIGINT, how long calls in progress keep their signaling before every connection is closed;"
              + " seconds, or with a unit: 20s, 1500ms, 2m; 0 stops at once (WEBCALL_DRAIN_TIMEOUT)."
              + " Default: ${DEFAULT-VALUE}")
  Duration drainTimeout;

  @Option(
      names = "--allow-legacy-join",
      arity = "0..1",
      defaultValue = "${env:WEBCALL_ALLOW_LEGACY_JOIN:-false}",
      description =
          "Accept the original page's join-room(roomId, userId) without a PeerJS token: the client's word for its id"
              + " is trusted, as long as that id is connected (WEBCALL_ALLOW_LEGACY_JOIN). Default: ${DEFAULT-VALUE}")
  boolean allowLegacyJoin;

  @Mixin PeerJsFlags peerjs;

  @Mixin IceFlags ice;

  @Mixin TlsFlags tls;

  @Mixin LimitFlags limits;

  @Mixin AdminFlags admin;

  @Mixin LogFlags log;

  @Mixin RedisFlags redis;

  public static void main(String[] args) {
    // A long-running server gives back the heap it no longer uses (idle connections then cost what
    // they hold).
    HeapSizing.applyLeanDefaults();
    CommandLine cli = commandLine();
    // A setting that cannot work (port taken, bad certificate, TURN URL without secret) is one
    // clear line, not a trace.
    cli.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          line.getErr().println("webcall: " + e.getMessage());
          return 2;
        });
    System.exit(cli.execute(args));
  }

  /**
   * The parser for both commands. "peerjs" is a subcommand and also the default key: let it be a
   * value too.
   */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setAllowSubcommandsAsOptionParameters(true);
  }

  @Override
  public Integer call() throws InterruptedException {
    log.format.apply(); // before anything is logged
    List<String> origins =
        allowedOrigins.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    TlsOptions tlsOptions = tls.toOptions(host);
    ServerConfig config =
        new ServerConfig(
            host,
            port,
            origins,
            roomCapacity,
            maxPayload,
            proxied,
            peerjs.toOptions("/peerjs"),
            ice.toOptions(),
            tlsOptions);
    config = config.withAllowLegacyJoin(allowLegacyJoin);
    List<String> known = new ArrayList<>(PeerJsOptions.Limits.NAMES);
    known.addAll(SignalingLimits.NAMES);
    Map<String, Long> chosen = limits.values(known, "webcall");
    config =
        config
            .withPeerJs(config.peerjs().withLimits(PeerJsOptions.Limits.from(chosen)))
            .withSignaling(SignalingLimits.from(chosen))
            .withUploadBudgetKbps(uploadBudgetKbps);
    // --- operations (issue 14): meters, then the admin listener, up before the call port so
    // /readyz says "starting" ---
    Metrics metrics = admin.metrics();
    RedisStore store = redis.connect(new PrintWriter(System.out, true));
    RoomsWiring rooms = RoomsState.of(store, config.roomCapacity());
    WebcallServer server =
        new WebcallServer(
            config,
            metrics,
            redis.realm(store, config.peerjs(), new PeerJsMetrics(metrics.registry())),
            rooms);
    RoomsLease lease = RoomsState.lease(store, rooms, server.signaling(), redis.lease());
    AdminListener adminListener =
        admin.start(metrics, server.readiness(), new PrintWriter(System.out, true));
    InetSocketAddress bound = server.start();
    String scheme = tlsOptions.enabled() ? "https" : "http";
    System.out.println("webcall listening on " + scheme + "://" + host + ":" + bound.getPort());
    if (tlsOptions.enabled()) {
      printCertificate(tlsOptions);
    }
    if (server.redirectAddress() != null) {
      System.out.println(
          "Plain HTTP on port " + server.redirectAddress().getPort() + " redirects to HTTPS.");
    }
    if ("0.0.0.0".equals(host) || "::".equals(host)) {
      System.out.println(
          "Open " + scheme + "://localhost:" + bound.getPort() + "/ in a browser to start a call.");
    }
    Duration drain = drainTimeout;
    return UntilStopped.serve(
        () -> {
          server.drain(
              drain); // /readyz "draining", no new joins; until no room is left or the timeout
          server.close();
          if (adminListener != null) {
            adminListener.close(); // after the server: /readyz says "stopping" while it closes
          }
          if (lease != null) {
            lease.close(); // after the server's sockets have left their rooms
          }
          if (store != null) {
            store.close(); // after the server: its sockets' goodbyes still reach Redis
          }
          metrics.close();
        },
        "webcall-shutdown",
        drain);
  }

  /**
   * {@code --drain-timeout}: whole seconds ("20"), or a number with {@code ms}, {@code s} or {@code
   * m}.
   */
  static final class DrainTimeout implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      var m = java.util.regex.Pattern.compile("(\\d{1,9})\\s*(ms|s|m)?").matcher(value.trim());
      if (!m.matches()) {
        throw new CommandLine.TypeConversionException(
            "'"
                + value
                + "' is not a duration: give seconds (20) or a number with ms, s or m (1500ms, 20s, 2m)");
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      Duration d =
          switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
          };
      if (d.compareTo(Duration.ofHours(1)) > 0) {
        throw new CommandLine.TypeConversionException("--drain-timeout is at most 1 hour");
      }
      return d;
    }
  }

  /**
   * So that a person opening the page can check that the certificate the browser shows is this one.
   */
  private static void printCertificate(TlsOptions tls) {
    try {
      var cert = Certificates.read(tls.certFile()).get(0);
      System.out.println(
          "TLS certificate "
              + tls.certFile()
              + " ("
              + cert.getSubjectX500Principal().getName()
              + ")");
      System.out.println(
          "TLS certificate SHA-256 fingerprint: " + Certificates.sha256Fingerprint(cert));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
