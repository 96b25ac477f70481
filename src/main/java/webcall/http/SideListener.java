package webcall.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A listener on a side port (the admin port, the HTTP redirect) with one small event loop of its
 * own: a flood on the call port never delays it, and it never delays a call. Every connection
 * starts with a read timeout, so a silent client does not hold a socket forever.
 */
public final class SideListener implements AutoCloseable {
  private final EventLoopGroup group;
  private final Channel channel;

  private SideListener(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /**
   * Binds {@code host:port}; {@code pipeline} adds each connection's handlers after the timeout.
   *
   * @param name the port's name in the thread name and in the error ("admin", "redirect")
   * @throws IllegalStateException if the address cannot be bound, naming it
   */
  public static SideListener bind(
      String name, String host, int port, int idleSeconds, Consumer<ChannelPipeline> pipeline) {
    EventLoopGroup group =
        new NioEventLoopGroup(1, new DefaultThreadFactory("webcall-" + name, true));
    try {
      Channel channel =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast(new ReadTimeoutHandler(idleSeconds, TimeUnit.SECONDS));
                      pipeline.accept(ch.pipeline());
                    }
                  })
              .bind(host, port)
              .syncUninterruptibly()
              .channel();
      return new SideListener(group, channel);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IllegalStateException(
          "cannot listen on the "
              + name
              + " port "
              + host
              + ":"
              + port
              + " ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
