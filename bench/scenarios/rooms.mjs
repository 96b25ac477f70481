// Socket.IO rooms: join → user-connected and leave → user-disconnected latency, 4 members a room.
import { summary, round } from '../lib/stats.mjs';
import { startServer, stopServer, startWorker, procCpu, jitSoFar, log } from '../lib/procs.mjs';

// Both servers on both transports. The Node reference's Socket.IO can use WebSocket only with its PeerJS server on a
// port of its own (--peer-port, as the seed runs it): mounted on the same HTTP server, peer's WebSocketServer answers
// every other upgrade with a 400 after engine.io's 101, so the reference's own page stays on polling.
export default async function rooms(kind, { cfg, env }) {
  const out = {};
  for (const transport of ['websocket', 'polling']) {
    const s = await startServer(env, kind, { peerPort: transport === 'websocket' });
    // two generator processes of 5 rooms at a time each: one process driving 40 polling clients is busy most of the time
    const workers = [startWorker('rooms-worker.mjs'), startWorker('rooms-worker.mjs')];
    try {
      const second = transport === 'websocket' ? 3 : 4;
      const opts = { base: s.base, wsBase: s.wsBase, transport, concurrency: 5, timeoutMs: 5000, deadlineMs: 180000 };
      const stamp = Date.now().toString(36);
      // warm-up rooms, not counted: latencies of the steady state, not of code being compiled on first use
      await Promise.all(workers.map((w, i) => w.call({ ...opts, prefix: `w${kind[0]}${transport[0]}${i}${stamp}`, rooms: cfg.roomsWarm / 2, second: second + 10 + i * 2 }, 240000)));
      const jit0 = kind === 'webcall' ? await jitSoFar(s.pid) : null;
      const cpu0 = procCpu(s.pid), t0 = performance.now();
      const rs = await Promise.all(workers.map((w, i) => w.call({ ...opts, prefix: `m${kind[0]}${transport[0]}${i}${stamp}`, rooms: cfg.rooms / 2, second: second + i * 2 }, 240000)));
      const cpu1 = procCpu(s.pid), wallMs = performance.now() - t0;
      const jit1 = jit0 && await jitSoFar(s.pid);
      const errors = {};
      rs.forEach(r => Object.entries(r.errors).forEach(([k, v]) => { errors[k] = (errors[k] || 0) + v; }));
      out[transport] = {
        rooms: rs.reduce((a, r) => a + r.rooms, 0), joinMs: summary(rs.flatMap(r => r.joinLat)), leaveMs: summary(rs.flatMap(r => r.leaveLat)),
        errors, generatorCpuPct: rs.map(r => round(100 * r.cpuMs / r.wallMs, 0)),
        serverCpuPct: round(100 * (cpu1.totalMs - cpu0.totalMs) / wallMs, 0),
        // compilation still going on while the measured rooms ran (webcall): methods compiled, ms spent compiling
        ...(jit1 && { serverJit: { compiled: jit1.compiled - jit0.compiled, ms: round(jit1.ms - jit0.ms, 0), wallMs: round(wallMs, 0) } }),
      };
      log(kind, 'rooms', transport, JSON.stringify(out[transport]));
    } finally {
      for (const w of workers) await w.stop();
      await stopServer(s);
    }
  }
  return out;
}

