// PeerJS relay, open loop: the most the server relays (max) and latency at a fixed total rate (fixed).
import os from 'node:os';
import { round, histSummary } from '../lib/stats.mjs';
import { startServer, stopServer, startWorker, procCpu, log } from '../lib/procs.mjs';

export default async function relay(kind, { cfg, env }) {
  const s = await startServer(env, kind);
  const workers = Array.from({ length: cfg.relayWorkers }, () => startWorker('peers-worker.mjs'));
  const out = {};
  try {
    const opened = await Promise.all(workers.map((w, i) => w.call({
      cmd: 'relay-open', wsBase: s.wsBase, prefix: `r${kind[0]}${i}${Date.now().toString(36)}`, pairs: cfg.relayPairs,
      second: 2, addrOffset: i * 100, timeoutMs: 10000,
    })));
    const sockets = opened.reduce((a, r) => a + r.sockets, 0);
    // "max": every socket offers 90 msgs/s (under webcall's 100/s per-socket limit) with at most 8 in flight, far more
    // than either server can relay, so the server sets the pace. "fixed": the same sockets offer a fixed total rate that
    // both servers carry easily, to read latency without queueing.
    for (const [phase, rate] of [['max', 90], ['fixed', cfg.relayFixedRate / sockets]]) {
      // a fresh JVM spends its first seconds compiling (a fifth of webcall's CPU in the first 13 s of relaying), so the
      // full run warms up long enough to measure the steady state of both servers
      const warmupMs = phase === 'max' ? cfg.relayWarmSec * 1000 : 2000, durationMs = cfg.relaySec * 1000;
      let cpu0 = null, cpu1 = null;
      const t0 = setTimeout(() => { cpu0 = procCpu(s.pid); }, warmupMs);
      const t1 = setTimeout(() => { cpu1 = procCpu(s.pid); }, warmupMs + durationMs);
      const rs = await Promise.all(workers.map(w => w.call({ cmd: 'relay-run', ratePerSocket: rate, window: 8, warmupMs, durationMs })));
      clearTimeout(t0); clearTimeout(t1);
      const delivered = rs.reduce((a, r) => a + r.delivered, 0);
      const wallS = Math.max(...rs.map(r => r.wallMs)) / 1000;
      const both = cpu0 !== null && cpu1 !== null;
      const serverCpuMs = both ? cpu1.totalMs - cpu0.totalMs : null;
      const perMsg = k => both && delivered ? round((cpu1[k] - cpu0[k]) / delivered, 2) : null;
      out[phase] = {
        sockets, offeredPerSocket: round(rate, 2),
        msgsPerSec: Math.round(delivered / wallS), latencyMs: histSummary(rs.map(r => r.lat)),
        serverCpuPct: serverCpuMs === null ? null : round(100 * serverCpuMs / (durationMs), 0),
        serverCpuUsPerMsg: serverCpuMs === null || !delivered ? null : round(1000 * serverCpuMs / delivered, 1),
        serverKernelPct: both && serverCpuMs ? round(100 * (cpu1.sysMs - cpu0.sysMs) / serverCpuMs, 0) : null,
        // write(v) calls only: /proc/PID/io does not count the recvfrom that Netty reads with
        serverWritesPerMsg: perMsg('writes'),
        generatorCpuPct: rs.map(r => round(100 * r.cpuMs / r.wallMs, 0)),
        generatorLoopDelayP99Ms: rs.map(r => r.loopDelayP99Ms),
        heldByWindowPct: rs.map(r => r.heldByWindowPct),
        closedEarly: rs.reduce((a, r) => a + r.closedEarly, 0),
        errors: Object.assign({}, ...opened.map(r => r.errors), ...rs.map(r => r.errors)),
        loadavg: os.loadavg().map(x => round(x, 2)),
      };
      log(kind, 'relay', phase, JSON.stringify({ ...out[phase], latencyMs: out[phase].latencyMs }));
    }
  } finally {
    for (const w of workers) await w.stop();
    await stopServer(s);
  }
  return out;
}

