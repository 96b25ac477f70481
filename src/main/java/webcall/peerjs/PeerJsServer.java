package webcall.peerjs;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.http.ConnectionLimit;
import webcall.http.HeaderTimeout;
import webcall.http.RequestFraming;
import webcall.http.ResponseTimeout;
import webcall.http.Responses;

/**
 * The PeerJS server on its own, as {@code peerjs --port 9000 --path /myapp} runs it: no pages, no
 * Socket.IO. The pipeline, in order:
 *
 * <pre>
 * [ssl] → httpDecoder → requestFraming → connectionLimit → httpEncoder → headerTimeout → responseTimeout → httpAggregator
 *   → router (everything to PeerJsEndpoint)
 * </pre>
 *
 * On a WebSocket upgrade the endpoint swaps the router for the PeerJS socket handlers. Any Origin
 * may connect, as with the reference server: standalone, there is no page of ours for another site
 * to hijack.
 */
public final class PeerJsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerJsServer.class);

  private final String host;
  private final int port;
  private final SslContext ssl;
  private final PeerJsEndpoint endpoint;
  private final ConnectionLimit connectionLimit;
  private ScheduledFuture<?> logFlush;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel listener;

  /**
   * @param realm the ids, queues and relay, with the options and meters, as the wiring chose them
   * @param ssl TLS for https/wss, or null for plain http/ws
   * @param proxied behind a reverse proxy: the client address is the last X-Forwarded-For entry
   */
  public PeerJsServer(String host, int port, Realm realm, SslContext ssl, boolean proxied) {
    this(host, port, realm, ssl, proxied, List.of());
  }

  /**
   * @param corsOrigins the origins the HTTP API allows by CORS, as the reference's {@code --cors};
   *     empty for any
   */
  public PeerJsServer(
      String host,
      int port,
      Realm realm,
      SslContext ssl,
      boolean proxied,
      List<String> corsOrigins) {
    this.host = host;
    this.port = port;
    this.ssl = ssl;
    this.endpoint = new PeerJsEndpoint(realm, req -> true, proxied, corsOrigins);
    this.connectionLimit =
        new ConnectionLimit(realm.options().limits().connectionsPerAddress(), proxied);
    connectionLimit.bindMetrics(realm.metrics().registry());
  }

  /**
   * Binds and starts; returns the address actually listened on (the real port when 0 was asked
   * for).
   */
  public InetSocketAddress start() {
    boss = new NioEventLoopGroup(1);
    workers = new NioEventLoopGroup();
    Router router = new Router(endpoint);
    long headerTimeout = endpoint.options().limits().headerTimeoutMillis();
    long requestTimeout = endpoint.options().limits().requestTimeoutMillis();
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (ssl != null) {
                      p.addLast("ssl", ssl.newHandler(ch.alloc()));
                    }
                    p.addLast("httpDecoder", RequestFraming.decoder(8192, 8192, 8192));
                    // Right after the decoder, so that no other handler sees a request whose length
                    // is ambiguous.
                    p.addLast("requestFraming", RequestFraming.guard());
                    // Right after the decoder: counts the TCP peer at accept, or behind a proxy the
                    // first request's
                    // forwarded address before anything else reads the request.
                    p.addLast("connectionLimit", connectionLimit);
                    p.addLast("httpEncoder", new HttpResponseEncoder());
                    // After the encoder, so that it sees responses before they become bytes.
                    p.addLast("headerTimeout", new HeaderTimeout(headerTimeout));
                    // After the encoder for the same reason; before the aggregator, so its clock
                    // starts at the headers.
                    p.addLast("responseTimeout", new ResponseTimeout(requestTimeout, null));
                    // The PeerJS API takes no request bodies; 8 KiB is plenty.
                    p.addLast("httpAggregator", new HttpObjectAggregator(8192));
                    p.addLast("router", router);
                  }
                });
    try {
      listener = b.bind(host, port).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while binding", e);
    } catch (Exception e) { // Netty throws the checked BindException without declaring it
      close();
      throw new IllegalStateException(e.getMessage(), e);
    }
    // The sweeps are short and never block, so a worker loop can run them.
    endpoint.startTimers(workers.next());
    logFlush =
        workers.next().scheduleAtFixedRate(connectionLimit::flushLog, 1, 1, TimeUnit.SECONDS);
    return (InetSocketAddress) listener.localAddress();
  }

  public Realm realm() {
    return endpoint.realm();
  }

  public PeerJsEndpoint endpoint() {
    return endpoint;
  }

  public ConnectionLimit connectionLimit() {
    return connectionLimit;
  }

  @Override
  public void close() {
    endpoint.stopTimers();
    if (logFlush != null) {
      logFlush.cancel(false);
    }
    if (listener != null) {
      listener.close().syncUninterruptibly();
    }
    endpoint
        .goingAway(); // the close frames are queued on the loops, which run what is queued before
    // they stop
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
    if (workers != null) {
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Hands every request to the PeerJS endpoint; what it does not own gets 404. */
  @ChannelHandler.Sharable
  static final class Router extends ChannelInboundHandlerAdapter {
    private final PeerJsEndpoint endpoint;

    Router(PeerJsEndpoint endpoint) {
      this.endpoint = endpoint;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof FullHttpRequest req)) {
        ctx.fireChannelRead(msg);
        return;
      }
      try {
        if (req.decoderResult().isFailure()) {
          Responses.send(ctx, req, Responses.decodeFailure(req.decoderResult().cause()));
          return;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        if (endpoint.owns(path)) {
          endpoint.handle(ctx, req, path);
        } else {
          Responses.send(ctx, req, Responses.text(HttpResponseStatus.NOT_FOUND, "Not Found"));
        }
      } finally {
        req.release();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Resets, TLS garbage and the like: one line, and only this connection goes. Only the
      // exception's class: some
      // messages quote the bytes received (a plain request to the TLS port would put its token in
      // the log).
      Throwable root = cause;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      log.info(
          "event=connection-error remote={} error={}",
          ctx.channel().remoteAddress(),
          root.getClass().getSimpleName());
      ctx.close();
    }
  }
}
