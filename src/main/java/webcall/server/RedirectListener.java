package webcall.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseEncoder;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.http.ConnectionLimit;
import webcall.http.HttpsRedirect;
import webcall.http.RequestFraming;
import webcall.http.SideListener;

/**
 * {@code --http-redirect-port}: a plain-HTTP listener that only redirects to the HTTPS port, so an
 * http:// link or a typed address still lands on the call, on a {@link SideListener}; it keeps
 * nothing per request. It is guarded as the main port is: the same per-address connection cap (one
 * count for both ports) and request framing.
 */
final class RedirectListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedirectListener.class);

  private final String host;
  private final int port;
  private final ConnectionLimit connectionLimit;
  private SideListener listener;

  RedirectListener(String host, int port, ConnectionLimit connectionLimit) {
    this.host = host;
    this.port = port;
    this.connectionLimit = connectionLimit;
  }

  InetSocketAddress start(int httpsPort) {
    HttpsRedirect redirect = HttpsRedirect.everyRequest(httpsPort);
    listener =
        SideListener.bind(
            "redirect",
            host,
            port,
            20,
            p ->
                p.addLast(
                    RequestFraming.decoder(4096, 8192, 8192),
                    RequestFraming.guard(),
                    connectionLimit,
                    new HttpResponseEncoder(),
                    // a redirect needs no body; a request with one gets 413
                    new HttpObjectAggregator(0),
                    redirect,
                    new ChannelInboundHandlerAdapter() {
                      @Override
                      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        ctx.close(); // a timeout or a reset concerns this one connection
                      }
                    }));
    InetSocketAddress bound = listener.address();
    log.info(
        "event=http-redirect-listening address={}:{} to_port={}", host, bound.getPort(), httpsPort);
    return bound;
  }

  @Override
  public void close() {
    if (listener != null) {
      listener.close();
    }
  }
}
