package webcall.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Set;
import picocli.CommandLine.Option;

/** The command-line flags for {@link TlsOptions}; a picocli mixin of {@code webcall.Main}. */
public final class TlsFlags {
  @Option(
      names = "--tls-cert",
      defaultValue = "${env:WEBCALL_TLS_CERT}",
      description =
          "PEM certificate (chain) to serve HTTPS with; needs --tls-key (WEBCALL_TLS_CERT).")
  Path cert;

  @Option(
      names = "--tls-key",
      defaultValue = "${env:WEBCALL_TLS_KEY}",
      description =
          "PEM private key of --tls-cert: PKCS#8, RSA or EC, unencrypted (WEBCALL_TLS_KEY).")
  Path key;

  @Option(
      names = "--tls-self-signed",
      defaultValue = "${env:WEBCALL_TLS_SELF_SIGNED:-false}",
      description =
          "Serve HTTPS with a certificate made once for this host's names and addresses and kept in"
              + " --data-dir; its SHA-256 fingerprint is printed at start (WEBCALL_TLS_SELF_SIGNED).")
  boolean selfSigned;

  @Option(
      names = "--data-dir",
      defaultValue = "${env:WEBCALL_DATA_DIR}",
      description =
          "Where webcall keeps what it makes, e.g. the self-signed certificate (WEBCALL_DATA_DIR)."
              + " Default: $XDG_DATA_HOME/webcall, else ~/.local/share/webcall")
  Path dataDir;

  @Option(
      names = "--http-redirect-port",
      defaultValue = "${env:WEBCALL_HTTP_REDIRECT_PORT:--1}",
      description =
          "Also listen for plain HTTP on this port and redirect every request to HTTPS; -1 for no such"
              + " listener (WEBCALL_HTTP_REDIRECT_PORT). Default: ${DEFAULT-VALUE}")
  int httpRedirectPort;

  @Option(
      names = "--force-https",
      defaultValue = "${env:WEBCALL_FORCE_HTTPS:-false}",
      description =
          "With --proxied: redirect requests whose X-Forwarded-Proto is http to https"
              + " (WEBCALL_FORCE_HTTPS). Default: ${DEFAULT-VALUE}")
  boolean forceHttps;

  /** Resolves the flags, making the self-signed certificate if it is asked for and missing. */
  public TlsOptions toOptions(String listenHost) {
    if (selfSigned && (cert != null || key != null)) {
      throw new IllegalArgumentException(
          "--tls-self-signed and --tls-cert/--tls-key exclude each other");
    }
    if (!selfSigned) {
      return new TlsOptions(cert, key, httpRedirectPort, forceHttps);
    }
    Set<InetAddress> addresses = new LinkedHashSet<>(SelfSigned.hostAddresses());
    try {
      InetAddress bound = InetAddress.getByName(listenHost);
      if (!bound.isAnyLocalAddress()) {
        addresses.add(bound);
      }
    } catch (IOException e) {
      // a host name that does not resolve will fail at bind with a clearer message
    }
    try {
      SelfSigned.Material m =
          SelfSigned.ensure(dataDir(), Clock.systemUTC(), SelfSigned.hostNames(), addresses);
      return new TlsOptions(m.cert(), m.key(), httpRedirectPort, forceHttps);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the self-signed certificate in " + dataDir(), e);
    }
  }

  Path dataDir() {
    if (dataDir != null) {
      return dataDir;
    }
    String xdg = System.getenv("XDG_DATA_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".local", "share");
    return base.resolve("webcall");
  }
}
