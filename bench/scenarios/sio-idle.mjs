// Idle Socket.IO connections over WebSocket: memory per connection after a full GC (heap and RSS, slopes over steps).
// The reference runs its PeerJS server on a port of its own so that its Socket.IO can use WebSocket, as webcall's does.
import { summary, round, sleep } from '../lib/stats.mjs';
import { startServer, stopServer, startWorker, rssKb, afterGc, fdInfo, slope, log } from '../lib/procs.mjs';

export default async function sioIdle(kind, { cfg, env }) {
  const s = await startServer(env, kind, { peerPort: true });
  const workers = Array.from({ length: cfg.sioWorkers }, () => startWorker('sio-worker.mjs'));
  const points = [], open = [], errors = {};
  let held = 0;
  try {
    // warm-up, not counted: connect and close some, so that the code is compiled and pools are sized
    await Promise.all(workers.map((w, i) => w.call({ cmd: 'open', base: s.base, transport: 'websocket', from: i * 1000, to: i * 1000 + cfg.sioWarm, second: 41, concurrency: 25, timeoutMs: 10000, deadlineMs: 60000 })));
    await Promise.all(workers.map(w => w.call({ cmd: 'close-all' })));
    await sleep(2000);
    points.push({ n: 0, rssKb: rssKb(s.pid), ...await afterGc(s), fd: fdInfo(s.pid) });
    for (const N of cfg.sioSteps) {
      const per = Math.ceil((N - held) / workers.length);
      const rs = await Promise.all(workers.map((w, i) => {
        const from = held + i * per, to = Math.min(N, from + per);
        return w.call({ cmd: 'open', base: s.base, transport: 'websocket', from, to, second: 42 + i, concurrency: 25, timeoutMs: 10000, deadlineMs: 120000 });
      }));
      rs.forEach(r => Object.entries(r.errors).forEach(([k, v]) => { errors[k] = (errors[k] || 0) + v; }));
      for (const r of rs) for (const t of r.times) open.push(t);
      held = rs.reduce((a, r) => a + r.held, 0);
      await sleep(3000);
      const p = { n: held, target: N, rssKb: rssKb(s.pid), ...await afterGc(s), fd: fdInfo(s.pid) };
      points.push(p);
      log(kind, 'sio-idle', JSON.stringify(p));
      if (held < N * 0.95) { log(kind, 'sio-idle: stopped at', held, 'errors', JSON.stringify(errors)); break; }
    }
    const still = await Promise.all(workers.map(w => w.call({ cmd: 'count' })));
    errors.stillOpenAtEnd = still.reduce((a, r) => a + r.open, 0);
  } finally {
    for (const w of workers) await w.stop();
    await stopServer(s);
  }
  const steps = points.filter(p => p.n > 0);
  const slopeOf = k => round(slope(steps.map(p => ({ n: p.n, kb: p[k] }))), 3);
  return {
    points, errors, maxHeld: held, connectMs: summary(open),
    heapKbPerConnection: slopeOf('heapKb'),
    rssAfterGcKbPerConnection: slopeOf('rssAfterGcKb'),
  };
}
