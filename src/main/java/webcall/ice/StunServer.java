package webcall.ice;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A STUN Binding responder on UDP, so that browsers learn their public address from the server they
 * already use instead of a third party's. It has its own one-thread event loop: a UDP flood never
 * delays the call server.
 */
public final class StunServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StunServer.class);

  private final String host;
  private final int port;
  private final PerSourceLimit limit;
  private final LongAdder answered = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private EventLoopGroup group;
  private Channel channel;

  /**
   * @param repliesPerSecond replies each source address may get per second; a browser sends a
   *     handful per call, so this only bites reflection floods with spoofed sources
   */
  public StunServer(String host, int port, int repliesPerSecond) {
    this.host = host;
    this.port = port;
    this.limit = new PerSourceLimit(repliesPerSecond, System::nanoTime);
  }

  public InetSocketAddress start() {
    group = new NioEventLoopGroup(1, new DefaultThreadFactory("webcall-stun", true));
    try {
      channel =
          new Bootstrap()
              .group(group)
              .channel(NioDatagramChannel.class)
              // Anything over 548 bytes is dropped; a bigger buffer only lets us see that it was
              // too big.
              .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
              .handler(new Responder())
              .bind(host, port)
              .syncUninterruptibly()
              .channel();
    } catch (Exception e) { // Netty rethrows the checked BindException undeclared
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IllegalStateException(
          "cannot answer STUN on UDP "
              + host
              + ":"
              + port
              + " ("
              + e.getMessage()
              + "); if coturn runs here it already answers STUN: use --no-stun, or another --stun-port",
          e);
    }
    InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
    log.info("event=stun-listening address={}:{}", host, bound.getPort());
    return bound;
  }

  public long answered() {
    return answered.sum();
  }

  public long dropped() {
    return dropped.sum();
  }

  /**
   * {@code webcall_stun_requests_total{result="answered"|"dropped"}}, read from the counters above
   * at scrape time.
   */
  public void bindMetrics(MeterRegistry registry) {
    FunctionCounter.builder("webcall.stun.requests", this, StunServer::answered)
        .description(
            "STUN datagrams received, by what became of them (dropped: malformed, not a Binding request,"
                + " or over the per-source reply rate)")
        .tag("result", "answered")
        .register(registry);
    FunctionCounter.builder("webcall.stun.requests", this, StunServer::dropped)
        .description(
            "STUN datagrams received, by what became of them (dropped: malformed, not a Binding request,"
                + " or over the per-source reply rate)")
        .tag("result", "dropped")
        .register(registry);
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

  private final class Responder extends SimpleChannelInboundHandler<DatagramPacket> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      InetSocketAddress source = packet.sender();
      byte[] bytes = ByteBufUtil.getBytes(packet.content());
      Stun.Verdict verdict = Stun.answer(bytes, source);
      if (verdict instanceof Stun.Reply reply && limit.allow(source.getAddress().getAddress())) {
        answered.increment();
        ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(reply.bytes()), source));
      } else {
        dropped.increment(); // no log line per datagram: a flood must not become a log flood
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // UDP errors (e.g. ICMP port unreachable surfacing on some systems) concern one datagram,
      // never the socket.
      log.debug("event=stun-error error={}", cause.toString());
    }
  }

  /**
   * Replies per source address per second, in a fixed table of counters indexed by a hash of the
   * address: constant memory whatever the number of sources, no cleanup. Two addresses sharing a
   * slot share its budget, which only makes the limit stricter. Used only from the STUN event loop,
   * so it needs no locking.
   */
  static final class PerSourceLimit {
    private static final int SLOTS = 4096;
    private final int perSecond;
    private final long[] second = new long[SLOTS];
    private final int[] count = new int[SLOTS];
    private final java.util.function.LongSupplier nanoClock;

    PerSourceLimit(int perSecond, java.util.function.LongSupplier nanoClock) {
      this.perSecond = perSecond;
      this.nanoClock = nanoClock;
    }

    boolean allow(byte[] address) {
      int h = java.util.Arrays.hashCode(address);
      int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
      long now = nanoClock.getAsLong() / 1_000_000_000L;
      if (second[slot] != now) {
        second[slot] = now;
        count[slot] = 0;
      }
      return ++count[slot] <= perSecond;
    }
  }
}
