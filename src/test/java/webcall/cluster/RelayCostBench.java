package webcall.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import webcall.support.ChildProcess;
import webcall.support.PeerSocket;
import webcall.support.RedisServer;

/**
 * A manual measurement, not a test (no *Test or *IT name): relay latency and server CPU per message
 * at a fixed rate, one node without Redis against two nodes with the sender and the receiver on
 * different nodes. Run: {@code java -cp target/test-classes:target/classes:$(deps)
 * webcall.cluster.RelayCostBench [msgs/s] [seconds]}. Everything runs on 127.0.0.1.
 */
public final class RelayCostBench {
  private static final Pattern LISTENING =
      Pattern.compile("^webcall listening on http://\\S+:(\\d+)$");
  private static final int PAIRS = 50;

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    try (RedisServer redis = RedisServer.start();
        ChildProcess single = node(null, "bench-single");
        ChildProcess n1 = node(redis.url(), "bench-n1");
        ChildProcess n2 = node(redis.url(), "bench-n2")) {
      long redisPid = redisPid(redis);
      // Warm-up on both set-ups, then the measured runs.
      run("warm-up single", single, single, rate, 5, -1);
      run("warm-up cluster", n1, n2, rate, 5, -1);
      run("single node", single, single, rate, seconds, -1);
      run("cross-node", n1, n2, rate, seconds, redisPid);
      run("single node again", single, single, rate, seconds, -1);
      run("cross-node again", n1, n2, rate, seconds, redisPid);
    }
  }

  private static ChildProcess node(String redisUrl, String name) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--stun-port",
                "-1",
                "--drain-timeout",
                "0",
                "--limit",
                "sockets-per-address=1000"));
    return ChildProcess.start(
        ChildProcess.webcall(args.toArray(String[]::new)),
        redisUrl == null ? Map.of() : Map.of("WEBCALL_REDIS_URL", redisUrl),
        LISTENING,
        Duration.ofSeconds(90),
        name);
  }

  private static int port(ChildProcess p) {
    return Integer.parseInt(p.readyLine().group(1));
  }

  private static long redisPid(RedisServer redis) {
    try {
      for (String line :
          new String(
                  new ProcessBuilder("sh", "-c", "redis-cli -p " + redis.port() + " info server")
                      .start()
                      .getInputStream()
                      .readAllBytes())
              .split("\r?\n")) {
        if (line.startsWith("process_id:")) {
          return Long.parseLong(line.substring(11).trim());
        }
      }
    } catch (Exception e) {
      // no redis-cli: Redis's CPU is not reported
    }
    return -1;
  }

  /** utime + stime of a process, in ms. */
  private static long cpuMillis(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // 100 ticks per second
  }

  private static final AtomicInteger RUN = new AtomicInteger();

  private static void run(
      String label, ChildProcess from, ChildProcess to, int rate, int seconds, long redisPid)
      throws Exception {
    int run = RUN.incrementAndGet();
    List<PeerSocket> senders = new ArrayList<>();
    List<PeerSocket> receivers = new ArrayList<>();
    for (int i = 0; i < PAIRS; i++) {
      PeerSocket r = PeerSocket.connect(port(to), "r" + run + "-" + i, "t");
      PeerSocket s = PeerSocket.connect(port(from), "s" + run + "-" + i, "t");
      r.text();
      s.text();
      senders.add(s);
      receivers.add(r);
    }
    int total = rate * seconds;
    long[] latencies = new long[total];
    AtomicInteger received = new AtomicInteger();
    List<Thread> readers = new ArrayList<>();
    for (PeerSocket r : receivers) {
      Thread t =
          new Thread(
              () -> {
                while (received.get() < total) {
                  String m = r.nextText(2);
                  if (m == null) {
                    if (received.get() >= total) return;
                    continue;
                  }
                  long now = System.nanoTime();
                  int at = m.indexOf("\"t\":");
                  long sent = Long.parseLong(m.substring(at + 4, m.indexOf('}', at)));
                  int k = received.getAndIncrement();
                  if (k < total) latencies[k] = now - sent;
                }
              });
      t.setDaemon(true);
      t.start();
      readers.add(t);
    }
    long cpuFrom0 = cpuMillis(from.pid());
    long cpuTo0 = from == to ? 0 : cpuMillis(to.pid());
    long cpuRedis0 = redisPid > 0 ? cpuMillis(redisPid) : 0;
    ScheduledExecutorService tick = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger sent = new AtomicInteger();
    long periodMicros = 1_000_000L * PAIRS / rate;
    // One message per sender per period, PAIRS senders: rate messages per second in all.
    tick.scheduleAtFixedRate(
        () -> {
          for (int i = 0; i < PAIRS && sent.get() < total; i++) {
            sent.incrementAndGet();
            senders
                .get(i)
                .send(
                    "{\"type\":\"CANDIDATE\",\"dst\":\"r"
                        + run
                        + "-"
                        + i
                        + "\",\"payload\":{\"candidate\":\"candidate:1 1 udp 2122260223 10.0.0.1 54321 typ host\",\"t\":"
                        + System.nanoTime()
                        + "}}");
          }
        },
        0,
        periodMicros,
        TimeUnit.MICROSECONDS);
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds + 30).toNanos();
    while (received.get() < total && System.nanoTime() < deadline) {
      Thread.sleep(100); // the measurement's own pacing, not a correctness wait
    }
    tick.shutdownNow();
    long cpu = cpuMillis(from.pid()) - cpuFrom0 + (from == to ? 0 : cpuMillis(to.pid()) - cpuTo0);
    long cpuRedis = redisPid > 0 ? cpuMillis(redisPid) - cpuRedis0 : -1;
    int n = Math.min(received.get(), total);
    long[] got = Arrays.copyOf(latencies, n);
    Arrays.sort(got);
    System.out.printf(
        "%-18s msgs %d/%d  p50 %.2f ms  p99 %.2f ms  max %.2f ms  server CPU %d ms (%.1f µs/msg)%s%n",
        label,
        n,
        total,
        got[n / 2] / 1e6,
        got[(int) (n * 0.99)] / 1e6,
        got[n - 1] / 1e6,
        cpu,
        cpu * 1000.0 / n,
        cpuRedis >= 0
            ? String.format("  redis CPU %d ms (%.1f µs/msg)", cpuRedis, cpuRedis * 1000.0 / n)
            : "");
    senders.forEach(PeerSocket::close);
    receivers.forEach(PeerSocket::close);
  }
}
