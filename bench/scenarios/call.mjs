// Call setup in headless Chromium: navigation of the last page to every remote video playing, against the floor.
import { callSetup, floorSetup } from '../lib/call.mjs';
import { startServer, stopServer, startWorker, log } from '../lib/procs.mjs';

/**
 * Before the timed calls, the same untimed traffic for either server: every page and asset fetched callWarmPages times,
 * and rooms over polling and over WebSocket. Without it a fresh JVM serves the calls from code it has not compiled yet
 * (webcall's server used ~100 ms of CPU per 2-page call cold, 20-50 ms warm), a one-off cost of starting the server
 * that the rooms scenario's warm-up also leaves out.
 */
async function warmForCalls(s, cfg) {
  const html = await (await fetch(`${s.base}/warm-up`)).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map(m => m[1]);
  const lane = async () => {
    for (let i = 0; i < cfg.callWarmPages / 2; i++) {
      await (await fetch(`${s.base}/warm-up-${i}`)).text();
      for (const a of assets) await (await fetch(s.base + a)).arrayBuffer();
    }
  };
  await Promise.all([lane(), lane()]);
  const w = startWorker('rooms-worker.mjs');
  try {
    for (const transport of ['polling', 'websocket']) {
      await w.call({ base: s.base, wsBase: s.wsBase, transport, concurrency: 5, timeoutMs: 5000, deadlineMs: 60000,
        prefix: `cw${transport[0]}${Date.now().toString(36)}`, rooms: cfg.callWarmRooms, second: 30 }, 120000);
    }
  } finally { await w.stop(); }
}

export default async function call(kind, { cfg, env, floorBase }) {
  const out = {};
  let s = null;
  try {
    if (kind !== 'floor') {
      s = await startServer(env, kind);
      if (cfg.callWarmPages) await warmForCalls(s, cfg);
    }
    for (const n of cfg.callSizes) {
      const runs = [];
      for (let i = 0; i < cfg.callReps; i++) {
        const r = kind === 'floor' ? await floorSetup(floorBase, n, 20000) : await callSetup(s.base, n, 20000);
        runs.push(r);
        log(kind, 'call', n, 'pages:', r === null || r.ms === null ? `TIMEOUT ${JSON.stringify(r && r.steps)}` : `${r.ms} ms ${JSON.stringify(r.timeline)}`);
      }
      // a call that never came up counts as the slowest, not as one run fewer
      const slowest = r => (r && r.ms !== null ? r.ms : Infinity);
      const sorted = [...runs].sort((a, b) => slowest(a) - slowest(b));
      const mid = sorted[Math.ceil(sorted.length / 2) - 1];
      const median = mid && mid.ms !== null ? mid : null;
      // the median run: the last page's timeline (ms since its navigation), and every page's steps on one clock
      out[n] = { medianMs: median && median.ms, all: runs.map(r => r && r.ms), timeouts: runs.filter(r => !r || r.ms === null).length, timeline: median && median.timeline, steps: median && median.steps };
    }
  } finally { await stopServer(s); }
  return out;
}

