package webcall.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/** The address a request comes from, for per-address limits and logs. */
public final class ClientAddress {
  private ClientAddress() {}

  /**
   * The peer's IP, or behind a reverse proxy ({@code proxied}) the last address in X-Forwarded-For:
   * the one the proxy itself appended. Earlier entries are whatever the client chose to send and
   * would let it dodge the limit. The last header line, not the first: HAProxy's {@code option
   * forwardfor} adds a line of its own after any the client sent, where nginx appends to the line.
   */
  public static String of(Channel ch, HttpRequest req, boolean proxied) {
    if (proxied) {
      List<String> lines = req.headers().getAll("X-Forwarded-For");
      if (!lines.isEmpty()) {
        String[] hops = lines.get(lines.size() - 1).split(",");
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
