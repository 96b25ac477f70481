package webcall;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import webcall.cluster.RedisStore;
import webcall.ops.AdminListener;
import webcall.ops.Metrics;
import webcall.ops.Readiness;
import webcall.peerjs.PeerJsMetrics;
import webcall.peerjs.PeerJsOptions;
import webcall.peerjs.PeerJsServer;

/**
 * {@code webcall peerjs}: only the PeerJS server, a drop-in for the reference {@code peerjs --port
 * 9000 --key peerjs --path /myapp}, with the same flags.
 */
@Command(
    name = "peerjs",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Runs only the PeerJS server, like the reference `peerjs` command.",
    footer = "%nEvery flag can also be set by the environment variable shown in its description.")
final class PeerJsCommand implements Callable<Integer> {
  static final String SSL_WARNING =
      "Warning: PeerServer will not run because either the key or the certificate has not been provided.";

  @Spec CommandSpec spec;

  @Option(
      names = {"--port", "-p"},
      defaultValue = "${env:WEBCALL_PORT:-9000}",
      description =
          "Port to listen on, 0 for any free port (WEBCALL_PORT). Default: ${DEFAULT-VALUE}")
  int port;

  @Option(
      names = {"--host", "-H"},
      defaultValue = "${env:WEBCALL_HOST:-0.0.0.0}",
      description = "Address to listen on (WEBCALL_HOST). Default: ${DEFAULT-VALUE}")
  String host;

  @Option(
      names = "--proxied",
      arity = "0..1",
      defaultValue = "${env:WEBCALL_PROXIED:-false}",
      description =
          "Behind a reverse proxy: take the last X-Forwarded-For address as the client's, for the per-address"
              + " limit and the logs (WEBCALL_PROXIED). Default: ${DEFAULT-VALUE}")
  boolean proxied;

  @Option(
      names = "--cors",
      arity = "1..*",
      split = ",",
      paramLabel = "ORIGIN",
      defaultValue = "${env:WEBCALL_CORS}",
      description =
          "Origins the HTTP API allows by CORS (Access-Control-Allow-Origin), repeatable; any origin when none is given."
              + " The WebSocket takes any origin either way, as with the reference (WEBCALL_CORS).")
  List<String> cors = new ArrayList<>();

  @Option(
      names = "--sslkey",
      defaultValue = "${env:WEBCALL_SSLKEY}",
      description = "PEM private key for https/wss; needs --sslcert (WEBCALL_SSLKEY)")
  File sslKey;

  @Option(
      names = "--sslcert",
      defaultValue = "${env:WEBCALL_SSLCERT}",
      description = "PEM certificate chain for https/wss; needs --sslkey (WEBCALL_SSLCERT)")
  File sslCert;

  @Mixin PeerJsFlags peerjs;

  @Mixin LimitFlags limits;

  @Mixin AdminFlags admin;

  @Mixin LogFlags log;

  @Mixin RedisFlags redis;

  @Override
  public Integer call() throws InterruptedException {
    log.format.apply(); // before anything is logged
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    SslContext ssl = null;
    if (sslKey != null || sslCert != null) {
      if (sslKey == null || sslCert == null) {
        err.println(SSL_WARNING);
        err.flush();
        return 1;
      }
      try {
        ssl = SslContextBuilder.forServer(sslCert, sslKey).build();
      } catch (SSLException | IllegalArgumentException e) {
        err.println("Cannot read the TLS key or certificate: " + e.getMessage());
        err.println(
            "The key must be an unencrypted PKCS#8 PEM file (-----BEGIN PRIVATE KEY-----); convert another with"
                + " `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem`.");
        err.flush();
        return 1;
      }
    }
    PeerJsOptions options = peerjs.toOptions("/");
    options =
        options.withLimits(
            PeerJsOptions.Limits.from(limits.values(PeerJsOptions.Limits.NAMES, "webcall peerjs")));
    // --- operations (issue 14): the same PeerJS meters as the call server, on the admin listener
    // if asked for ---
    Metrics metrics = admin.metrics();
    Readiness readiness = new Readiness(Readiness.STARTING);
    metrics.watch(readiness);
    AdminListener adminListener;
    try {
      adminListener = admin.start(metrics, readiness, out);
    } catch (IllegalStateException e) {
      err.println(e.getMessage());
      err.flush();
      return 1;
    }
    RedisStore store;
    try {
      store = redis.connect(out);
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println(e.getMessage());
      err.flush();
      if (adminListener != null) {
        adminListener.close();
      }
      return 1;
    }
    List<String> corsOrigins =
        cors == null ? List.of() : cors.stream().filter(o -> !o.isBlank()).toList();
    PeerJsServer server =
        new PeerJsServer(
            host,
            port,
            redis.realm(store, options, new PeerJsMetrics(metrics.registry())),
            ssl,
            proxied,
            corsOrigins);
    InetSocketAddress bound;
    try {
      bound = server.start();
    } catch (IllegalStateException e) {
      err.println("Cannot listen on " + host + ":" + port + ": " + e.getMessage());
      err.flush();
      if (adminListener != null) {
        adminListener.close();
      }
      if (store != null) {
        store.close();
      }
      return 1;
    }
    readiness.clear(Readiness.STARTING);
    String path = options.path().isEmpty() ? "/" : options.path();
    out.println("Started PeerServer on " + host + ", port: " + bound.getPort() + ", path: " + path);
    out.flush();
    return UntilStopped.serve(
        () -> {
          readiness.notReady(Readiness.STOPPING);
          server.close();
          if (adminListener != null) {
            adminListener.close();
          }
          if (store != null) {
            store.close();
          }
          metrics.close();
        },
        "peerjs-shutdown",
        java.time.Duration.ZERO); // no rooms to drain: PeerJS clients get 1001 at once
  }
}
