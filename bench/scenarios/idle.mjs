// Idle PeerJS peers: memory per peer (RSS and heap after a full GC, slopes over steps), time to OPEN, and where the
// server stops holding more.
import path from 'node:path';
import fs from 'node:fs';
import { summary, round, sleep } from '../lib/stats.mjs';
import { startServer, stopServer, startWorker, rssKb, afterGc, fdInfo, histogram, slope, log } from '../lib/procs.mjs';

// JVM flags that make the JVM's RSS follow its live heap (a small young generation, a compacting GC that hands back
// memory): measured in the full run as well, to show what RSS per idle peer the default G1 sizing adds.
export const LEAN_JVM = ['-XX:+UseSerialGC', '-Xmn16m'];

export default async function idle(kind, { cfg, env, quick }, jvm = []) {
  const s = await startServer(env, kind, { jvm });
  const workers = Array.from({ length: cfg.idleWorkers }, () => startWorker('peers-worker.mjs'));
  const prefix = `i${kind[0]}${Date.now().toString(36)}`;
  const points = [], open = [], errors = {};
  let held = 0, histFirst = null, histLast = null, fdAtMax = null;
  try {
    // warm-up, not counted: open and close some peers so that time to OPEN is not the time to compile the code
    await Promise.all(workers.map((w, i) => w.call({ cmd: 'open', wsBase: s.wsBase, prefix: `${prefix}w`, from: i * 1000, to: i * 1000 + cfg.idleWarm, second: 11, concurrency: 50, timeoutMs: 10000, deadlineMs: 60000 })));
    await Promise.all(workers.map(w => w.call({ cmd: 'close-idle' })));
    await sleep(2000);
    points.push({ n: 0, rssKb: rssKb(s.pid), ...await afterGc(s), fd: fdInfo(s.pid) });
    for (const N of cfg.idleSteps) {
      const add = N - held;
      const per = Math.ceil(add / workers.length);
      const t0 = performance.now();
      const rs = await Promise.all(workers.map((w, i) => {
        const from = held + i * per, to = Math.min(N, from + per);
        return w.call({ cmd: 'open', wsBase: s.wsBase, prefix, from, to, second: 1, concurrency: 50, timeoutMs: 10000, deadlineMs: 120000 });
      }));
      const wall = performance.now() - t0;
      const times = rs.flatMap(r => r.times);
      const stepErrors = {};
      rs.forEach(r => Object.entries(r.errors).forEach(([k, v]) => { errors[k] = (errors[k] || 0) + v; stepErrors[k] = (stepErrors[k] || 0) + v; }));
      held = rs.reduce((a, r) => a + r.held, 0);
      for (const t of times) open.push(t);
      await sleep(5500); // a full heartbeat round (every 5 s) has reached the server
      const p = { n: held, target: N, openMs: summary(times), openWallMs: round(wall), errors: stepErrors, rssKb: rssKb(s.pid), ...await afterGc(s), fd: fdInfo(s.pid) };
      fdAtMax = p.fd;
      if (kind === 'webcall') {
        const h = { n: held, h: await histogram(s.pid) };
        if (!histFirst) histFirst = h; else histLast = h;
      }
      points.push(p);
      log(kind, 'idle', JSON.stringify(p));
      if (held < N * 0.95) { log(kind, 'idle: stopped at', held, 'errors', JSON.stringify(errors)); break; }
    }
    // Are they all still there? Peers the server dropped (e.g. missed heartbeats) show up as closedLater.
    const still = await Promise.all(workers.map(w => w.call({ cmd: 'count' })));
    errors.stillOpenAtEnd = still.reduce((a, r) => a + r.open, 0);
  } finally {
    for (const w of workers) await w.stop();
    await stopServer(s);
  }
  const steps = points.filter(p => p.n > 0);
  const slopeOf = k => round(slope(steps.map(p => ({ n: p.n, kb: p[k] }))), 3);
  const last = steps[steps.length - 1];
  const res = {
    points, errors, maxHeld: held, fdAtMax,
    openMs: summary(open),
    rssKbPerPeer: slopeOf('rssKb'),
    rssAfterGcKbPerPeer: slopeOf('rssAfterGcKb'),
    heapKbPerPeer: slopeOf('heapKb'),
  };
  res.heapAt100kMiB = round((last.heapKb + res.heapKbPerPeer * (100000 - last.n)) / 1024, 1);
  if (histFirst && histLast && histLast.n > histFirst.n) {
    const dn = histLast.n - histFirst.n;
    const rows = [];
    for (const [cls, v] of histLast.h) {
      const a = histFirst.h.get(cls) || { n: 0, bytes: 0 };
      rows.push({ cls, perPeerBytes: round((v.bytes - a.bytes) / dn, 1), perPeerObjs: round((v.n - a.n) / dn, 2) });
    }
    rows.sort((x, y) => y.perPeerBytes - x.perPeerBytes);
    res.histogramPerPeer = rows.slice(0, 40);
    res.histogramPerPeerTotalBytes = round(rows.reduce((a, r) => a + r.perPeerBytes, 0), 0);
    fs.writeFileSync(path.join(env.out, `histogram-per-peer${jvm.length ? '-lean' : ''}${quick ? '-quick' : ''}.txt`),
      `# webcall heap per idle PeerJS peer: jcmd GC.class_histogram at ${histLast.n} peers minus at ${histFirst.n}, divided by ${dn}\n` +
      rows.filter(r => Math.abs(r.perPeerBytes) >= 1).map(r => `${String(r.perPeerBytes).padStart(8)} B ${String(r.perPeerObjs).padStart(6)} objs  ${r.cls}`).join('\n') + '\n');
  }
  return res;
}

