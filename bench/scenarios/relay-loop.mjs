// PeerJS relay, closed loop: pairs of raw PeerJS sockets keep a few candidate-sized messages in flight, each answered
// at once by the other side, with the server pinned to one core and the generator to another (taskset), so that
// neither takes CPU from the other. The pace is set by how long the server holds a message, not by the offered rate.
import os from 'node:os';
import { round, histSummary } from '../lib/stats.mjs';
import { startServer, stopServer, startWorker, procCpu, log } from '../lib/procs.mjs';

export default async function relayLoop(kind, { cfg, env }) {
  const pin = os.cpus().length >= 2;
  // webcall limits each PeerJS socket to 100 messages/s (a browser sends a few dozen while it sets up a call); a closed
  // loop answers as fast as the server delivers, so the limit is raised here, where the reference has none
  const s = await startServer(env, kind, { cpus: pin ? '0' : null, webcallArgs: ['--limit', 'peer-messages-per-second=1000000', '--limit', 'peer-message-burst=1000000'] });
  const w = startWorker('peers-worker.mjs', { cpus: pin ? '1' : null });
  try {
    const opened = await w.call({
      cmd: 'relay-open', wsBase: s.wsBase, prefix: `l${kind[0]}${Date.now().toString(36)}`, pairs: cfg.loopPairs,
      second: 3, addrOffset: 0, timeoutMs: 10000,
    });
    const warmupMs = cfg.loopWarmSec * 1000, durationMs = cfg.loopSec * 1000;
    let cpu0 = null, cpu1 = null;
    const t0 = setTimeout(() => { cpu0 = procCpu(s.pid); }, warmupMs);
    const t1 = setTimeout(() => { cpu1 = procCpu(s.pid); }, warmupMs + durationMs);
    const r = await w.call({ cmd: 'relay-loop', window: cfg.loopWindow, warmupMs, durationMs });
    clearTimeout(t0); clearTimeout(t1);
    const both = cpu0 !== null && cpu1 !== null;
    const serverCpuMs = both ? cpu1.totalMs - cpu0.totalMs : null;
    const out = {
      pinned: pin, pairs: cfg.loopPairs, window: cfg.loopWindow, sockets: opened.sockets,
      msgsPerSec: Math.round(r.delivered / (r.wallMs / 1000)), latencyMs: histSummary([r.lat]),
      serverCpuPct: serverCpuMs === null ? null : round(100 * serverCpuMs / durationMs, 0),
      serverCpuUsPerMsg: serverCpuMs === null || !r.delivered ? null : round(1000 * serverCpuMs / r.delivered, 1),
      generatorCpuPct: round(100 * r.cpuMs / r.wallMs, 0), generatorLoopDelayP99Ms: r.loopDelayP99Ms,
      closedEarly: r.closedEarly, errors: { ...opened.errors, ...r.errors }, loadavg: os.loadavg().map(x => round(x, 2)),
    };
    log(kind, 'relay-loop', JSON.stringify(out));
    return out;
  } finally {
    await w.stop();
    await stopServer(s);
  }
}
