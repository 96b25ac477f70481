package webcall.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** The address a request comes from, for per-address limits and logs. */
public final class ClientAddress {
  private ClientAddress() {}

  /**
   * The peer's IP, or behind a reverse proxy ({@code proxied}) the last address in X-Forwarded-For:
   * the one the proxy itself appended. Earlier entries are whatever the client chose to send and
   * would let it dodge the limit.
   */
  public static String of(Channel ch, HttpRequest req, boolean proxied) {
    if (proxied) {
      String forwarded = req.headers().get("X-Forwarded-For");
      if (forwarded != null) {
        String[] hops = forwarded.split(",");
        String last = hops[hops.length - 1].trim();
        if (!last.isEmpty() && last.length() <= 64) {
          return last;
        }
      }
    }
    SocketAddress remote = ch.remoteAddress();
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return String.valueOf(remote);
  }
}
