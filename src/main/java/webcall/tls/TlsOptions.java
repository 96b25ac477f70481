package webcall.tls;

import java.nio.file.Path;

/**
 * HTTPS for the call server.
 *
 * @param certFile PEM certificate chain, or null to serve plain HTTP
 * @param keyFile PEM private key of {@code certFile}
 * @param httpRedirectPort an extra plain-HTTP port whose every request is redirected to HTTPS; -1
 *     for none, 0 for any
 * @param forceHttps behind a proxy ({@code --proxied}): redirect requests whose X-Forwarded-Proto
 *     is http to https
 */
public record TlsOptions(Path certFile, Path keyFile, int httpRedirectPort, boolean forceHttps) {
  public static final int OFF = -1;

  public TlsOptions {
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together");
    }
    if (httpRedirectPort < OFF || httpRedirectPort > 65535) {
      throw new IllegalArgumentException("HTTP redirect port must be -1 (off) or 0..65535");
    }
    if (httpRedirectPort != OFF && certFile == null) {
      throw new IllegalArgumentException(
          "--http-redirect-port needs HTTPS: --tls-cert/--tls-key or --tls-self-signed");
    }
  }

  /** Plain HTTP, as before this existed. */
  public static TlsOptions off() {
    return new TlsOptions(null, null, OFF, false);
  }

  public boolean enabled() {
    return certFile != null;
  }

  public TlsOptions withRedirectPort(int port) {
    return new TlsOptions(certFile, keyFile, port, forceHttps);
  }

  public TlsOptions withForceHttps(boolean force) {
    return new TlsOptions(certFile, keyFile, httpRedirectPort, force);
  }
}
