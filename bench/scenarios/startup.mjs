// Startup: time to listening and resident memory 3 s later, with default flags.
import { summary, sleep } from '../lib/stats.mjs';
import { startServer, stopServer, rssKb } from '../lib/procs.mjs';

export default async function startup(kind, { cfg, env }) {
  const times = [], rss = [];
  for (let i = 0; i < cfg.startups; i++) {
    const s = await startServer(env, kind, { extraFlags: false });
    try {
      times.push(s.startupMs);
      await sleep(3000);
      rss.push(rssKb(s.pid));
    } finally { await stopServer(s); }
  }
  return { startupMs: summary(times), idleRssKb: Math.max(...rss), rssAll: rss };
}

