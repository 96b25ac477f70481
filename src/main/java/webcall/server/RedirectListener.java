package webcall.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.http.ConnectionLimit;
import webcall.http.HttpsRedirect;
import webcall.http.RequestFraming;

/**
 * {@code --http-redirect-port}: a plain-HTTP listener that only redirects to the HTTPS port, so an
 * http:// link or a typed address still lands on the call. One small event loop of its own; it
 * keeps nothing per request. It is guarded as the main port is: the same per-address connection cap
 * (one count for both ports) and request framing.
 */
final class RedirectListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedirectListener.class);

  private final String host;
  private final int port;
  private final ConnectionLimit connectionLimit;
  private EventLoopGroup group;
  private Channel channel;

  RedirectListener(String host, int port, ConnectionLimit connectionLimit) {
    this.host = host;
    this.port = port;
    this.connectionLimit = connectionLimit;
  }

  InetSocketAddress start(int httpsPort) {
    HttpsRedirect redirect = HttpsRedirect.everyRequest(httpsPort);
    group = new NioEventLoopGroup(1, new DefaultThreadFactory("webcall-redirect", true));
    try {
      channel =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(
                              new ReadTimeoutHandler(
                                  20,
                                  TimeUnit
                                      .SECONDS), // a silent client does not hold a socket forever
                              RequestFraming.decoder(4096, 8192, 8192),
                              RequestFraming.guard(),
                              connectionLimit,
                              new HttpResponseEncoder(),
                              new HttpObjectAggregator(
                                  0), // a redirect needs no body; a request with one gets 413
                              redirect,
                              new ChannelInboundHandlerAdapter() {
                                @Override
                                public void exceptionCaught(
                                    ChannelHandlerContext ctx, Throwable cause) {
                                  ctx.close(); // a timeout or a reset concerns this one connection
                                }
                              });
                    }
                  })
              .bind(host, port)
              .syncUninterruptibly()
              .channel();
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e;
    }
    InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
    log.info(
        "event=http-redirect-listening address={}:{} to_port={}", host, bound.getPort(), httpsPort);
    return bound;
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
