package webcall.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may open a Socket.IO or PeerJS connection: the server's own (Origin matches
 * Host) and those listed by the operator. CORS does not stop WebSocket upgrades, so without this
 * any site could drive a visitor's browser into a call (cross-site WebSocket hijacking).
 */
public final class OriginPolicy {
  private final Set<String> extra;
  private final boolean proxied;
  private final boolean tls;

  public OriginPolicy(List<String> allowedOrigins, boolean proxied) {
    this(allowedOrigins, proxied, false);
  }

  /**
   * @param proxied trust X-Forwarded-Host and X-Forwarded-Proto for what the browser asked for
   * @param tls this server speaks HTTPS itself, so its own pages have https: origins
   */
  public OriginPolicy(List<String> allowedOrigins, boolean proxied, boolean tls) {
    this.extra =
        allowedOrigins.stream()
            .map(OriginPolicy::normalise)
            .collect(Collectors.toUnmodifiableSet());
    this.proxied = proxied;
    this.tls = tls;
  }

  /** An Origin-less request is not from a browser page (or is a same-origin GET) and passes. */
  public boolean allows(HttpRequest req) {
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (origin == null) {
      return true;
    }
    String normalised = normalise(origin);
    if (extra.contains("*") || extra.contains(normalised)) {
      return true;
    }
    // The scheme is checked only where it is known: http://host and https://host are different
    // origins.
    String scheme =
        proxied ? HttpsRedirect.Forwarded.first(req.headers().get("X-Forwarded-Proto")) : null;
    if (scheme == null && tls) {
      scheme = "https";
    }
    if (scheme != null && !scheme.toLowerCase(Locale.ROOT).equals(scheme(normalised))) {
      return false;
    }
    String host =
        proxied ? HttpsRedirect.Forwarded.first(req.headers().get("X-Forwarded-Host")) : null;
    if (host == null) {
      host = req.headers().get(HttpHeaderNames.HOST);
    }
    if (host == null) {
      return false;
    }
    String authority = authority(normalised);
    return authority != null
        && authority.equals(stripDefaultPort(host.toLowerCase(Locale.ROOT), scheme(normalised)));
  }

  static String normalise(String origin) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    while (o.endsWith("/")) {
      o = o.substring(0, o.length() - 1);
    }
    return o;
  }

  private static String scheme(String origin) {
    int i = origin.indexOf("://");
    return i < 0 ? "" : origin.substring(0, i);
  }

  private static String authority(String origin) {
    try {
      URI u = new URI(origin);
      if (u.getHost() == null) {
        return null;
      }
      String host = u.getHost();
      return u.getPort() < 0 ? host : stripDefaultPort(host + ":" + u.getPort(), u.getScheme());
    } catch (Exception e) {
      return null;
    }
  }

  private static String stripDefaultPort(String hostPort, String scheme) {
    if (("http".equals(scheme) || "ws".equals(scheme)) && hostPort.endsWith(":80")) {
      return hostPort.substring(0, hostPort.length() - 3);
    }
    if (("https".equals(scheme) || "wss".equals(scheme)) && hostPort.endsWith(":443")) {
      return hostPort.substring(0, hostPort.length() - 4);
    }
    return hostPort;
  }
}
