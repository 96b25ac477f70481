package webcall.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import java.util.ArrayList;
import java.util.List;

/**
 * The process's meters, one registry for everything: each feature registers its own meters on
 * {@link #registry()} when it is built (PeerJS, STUN, the ICE API now; Socket.IO and rooms later).
 * Without an admin listener nothing reads them, so the registry is then a no-op one: counters cost
 * nothing and the JVM binders are not installed.
 *
 * <p>Names follow Prometheus's conventions ({@code webcall_*}, units in the name, {@code _total} on
 * counters, which Micrometer's Prometheus registry adds). Tags are only ever the server's own
 * constants (a message type, a refusal reason, a result): never a room, a peer id, an address or
 * any text a client sent, so that no client can grow the number of series.
 */
public final class Metrics implements AutoCloseable {
  private final MeterRegistry registry;
  private final PrometheusMeterRegistry prometheus;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  private Metrics(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
    this.registry = registry;
    this.prometheus = prometheus;
  }

  /** Meters that nothing reads: no admin listener. */
  public static Metrics disabled() {
    return new Metrics(new CompositeMeterRegistry(), null);
  }

  /** A Prometheus registry with the process, JVM and Netty allocator meters. */
  public static Metrics prometheus() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Metrics m = new Metrics(registry, registry);
    m.bind(new JvmMemoryMetrics());
    m.bind(new JvmGcMetrics());
    m.bind(new JvmHeapPressureMetrics()); // jvm_memory_usage_after_gc: the heap that stays after a
    // collection
    m.bind(new JvmThreadMetrics());
    m.bind(new ClassLoaderMetrics());
    m.bind(new JvmInfoMetrics());
    m.bind(new ProcessorMetrics());
    m.bind(new FileDescriptorMetrics()); // process_files_open_files, process_files_max_files
    m.bind(new UptimeMetrics());
    nettyAllocator(registry, PooledByteBufAllocator.DEFAULT.metric());
    return m;
  }

  private void bind(MeterBinder binder) {
    binder.bindTo(registry);
    if (binder instanceof AutoCloseable c) {
      closeables.add(c); // the GC binders listen to JMX notifications until closed
    }
  }

  /**
   * The pooled allocator's memory, where Netty's buffers (TLS, WebSocket frames, HTTP) live outside
   * the heap.
   */
  private static void nettyAllocator(MeterRegistry registry, PooledByteBufAllocatorMetric alloc) {
    Gauge.builder(
            "webcall.netty.allocator.memory.used",
            alloc,
            PooledByteBufAllocatorMetric::usedDirectMemory)
        .tag("area", "direct")
        .baseUnit("bytes")
        .description("Memory used by Netty's pooled allocator")
        .register(registry);
    Gauge.builder(
            "webcall.netty.allocator.memory.used",
            alloc,
            PooledByteBufAllocatorMetric::usedHeapMemory)
        .tag("area", "heap")
        .baseUnit("bytes")
        .description("Memory used by Netty's pooled allocator")
        .register(registry);
  }

  /**
   * {@code webcall_ready}: 1 while {@code readiness} is ready, else 0 (for the "not ready" alert).
   */
  public void watch(Readiness readiness) {
    Gauge.builder("webcall.ready", readiness, r -> r.isReady() ? 1 : 0)
        .description("1 while the server accepts new calls, 0 while starting or stopping")
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public boolean enabled() {
    return prometheus != null;
  }

  /** Every meter in Prometheus's text format (version 0.0.4). */
  public String scrape() {
    if (prometheus == null) {
      throw new IllegalStateException("metrics are disabled");
    }
    return prometheus.scrape();
  }

  @Override
  public void close() {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception ignored) {
        // closing a JMX listener: nothing to do about a failure at shutdown
      }
    }
    registry.close();
  }
}
