// The table of bench/run: both servers' figures, their ratio and the targets, from the results object.
import { round } from './lib/stats.mjs';

function fmt(v, unit = '') { return v === null || v === undefined ? '-' : `${typeof v === 'number' ? (Math.abs(v) >= 100 ? Math.round(v) : round(v, 2)) : v}${unit}`; }
function ratio(a, b) { return a === null || b === null || a === undefined || b === undefined || b === 0 ? null : round(a / b, 2); }

/** Returns {table, targets}: the markdown table and, for each row with a target, its figures and whether it is met. */
export function report(R, cfg) {
  const W = R.webcall, N = R.node, F = R.floor;
  const g = (o, ...p) => p.reduce((a, k) => (a == null ? a : a[k]), o);
  const rows = []; const targets = {};
  const row = (name, w, n, target, met) => { rows.push([name, fmt(w), fmt(n), fmt(ratio(w, n)), target || '', met === undefined ? '' : met === null ? '?' : met ? 'met' : 'MISSED']); if (target) targets[name] = { webcall: w ?? null, node: n ?? null, ratio: ratio(w, n), target, met: met ?? null }; };
  const le = (a, b) => (a == null || b == null ? null : a <= b);
  const both = (...p) => [g(W, ...p), g(N, ...p)];
  const vsNode = (name, p, lower = true) => { const [w, n] = both(...p); row(name, w, n, lower ? '≤ Node' : '≥ Node', lower ? le(w, n) : le(n, w)); };
  const info = (name, p) => { const [w, n] = both(...p); row(name, w, n); };
  const mb = kb => (kb == null ? null : kb / 1024);

  const [su, sn] = both('startup', 'startupMs', 'p50');
  row('startup to listening, median (ms)', su, sn, '≤ 1500 ms', le(su, 1500));
  row('idle RSS after start, default flags (MB)', mb(g(W, 'startup', 'idleRssKb')), mb(g(N, 'startup', 'idleRssKb')), '≤ 150 MB', le(mb(g(W, 'startup', 'idleRssKb')), 150));

  info('idle peers held at most', ['idle', 'maxHeld']);
  info('  server open files then (limit 20 000)', ['idle', 'fdAtMax', 'open']);
  info('RSS per idle peer, slope (KB)', ['idle', 'rssKbPerPeer']);
  vsNode('RSS per idle peer after full GC, slope (KB)', ['idle', 'rssAfterGcKbPerPeer']);
  vsNode('heap per idle peer after full GC, slope (KB)', ['idle', 'heapKbPerPeer']);
  if (W.idleLean) row(`  webcall with ${W.idleLean.jvm}: RSS per idle peer after full GC (KB)`, W.idleLean.rssAfterGcKbPerPeer, g(N, 'idle', 'rssAfterGcKbPerPeer'));
  const h100 = g(W, 'idle', 'heapAt100kMiB');
  row('heap projected at 100 000 idle peers (MiB)', h100, g(N, 'idle', 'heapAt100kMiB'), '≤ 1024 MiB', le(h100, 1024));
  info('time to OPEN p50 (ms)', ['idle', 'openMs', 'p50']);
  info('time to OPEN p99 (ms)', ['idle', 'openMs', 'p99']);

  const [tw, tn] = both('relay', 'max', 'msgsPerSec');
  row('relay max throughput (msgs/s)', tw, tn, '≥ 3× Node', tw == null || tn == null ? null : tw >= 3 * tn);
  info('  server CPU per relayed msg (µs)', ['relay', 'max', 'serverCpuUsPerMsg']);
  info('  server CPU in the kernel (%)', ['relay', 'max', 'serverKernelPct']);
  info('  server write syscalls per relayed msg', ['relay', 'max', 'serverWritesPerMsg']);
  info('  server CPU (% of one core)', ['relay', 'max', 'serverCpuPct']);
  info('relay latency p50 at max (ms)', ['relay', 'max', 'latencyMs', 'p50']);
  info('relay latency p99 at max (ms)', ['relay', 'max', 'latencyMs', 'p99']);
  info(`relay at a fixed ${cfg.relayFixedRate} msgs/s: delivered (msgs/s)`, ['relay', 'fixed', 'msgsPerSec']);
  info('relay latency p50 at fixed rate (ms)', ['relay', 'fixed', 'latencyMs', 'p50']);
  vsNode('relay latency p99 at fixed rate (ms)', ['relay', 'fixed', 'latencyMs', 'p99']);

  const [lw, ln] = both('relayLoop', 'msgsPerSec');
  const pinnedTag = g(W, 'relayLoop', 'pinned') ? 'server and generator on a core each' : 'not pinned: fewer than 2 cores';
  row(`relay closed loop, candidate-sized (msgs/s; ${pinnedTag})`, lw, ln, '≥ 1.5× Node', lw == null || ln == null ? null : lw >= 1.5 * ln);
  vsNode('  closed loop latency p99 (ms)', ['relayLoop', 'latencyMs', 'p99']);
  info('  closed loop latency p50 (ms)', ['relayLoop', 'latencyMs', 'p50']);
  const [cw, cn] = both('relayLoop', 'serverCpuUsPerMsg');
  row('  closed loop server CPU per relayed msg (µs)', cw, cn, '≤ 0.5 × Node', cw == null || cn == null ? null : cw <= 0.5 * cn);
  info('  closed loop server CPU (% of its core)', ['relayLoop', 'serverCpuPct']);
  info('  closed loop generator CPU (% of its core)', ['relayLoop', 'generatorCpuPct']);

  for (const t of ['websocket', 'polling']) {
    const tag = t === 'websocket' ? 'both WebSocket' : 'both polling';
    const r = (name, k, p, target) => { const w = g(W, 'rooms', t, k, p), n = g(N, 'rooms', t, k, p); target ? row(name, w, n, '≤ Node', le(w, n)) : row(name, w, n); };
    r(`room join → user-connected p50 (ms, ${tag})`, 'joinMs', 'p50');
    r(`room join → user-connected p99 (ms, ${tag})`, 'joinMs', 'p99', true);
    r(`room leave → user-disconnected p50 (ms, ${tag})`, 'leaveMs', 'p50');
    r(`room leave → user-disconnected p99 (ms, ${tag})`, 'leaveMs', 'p99', true);
  }
  const [hw, hn] = both('sioIdle', 'heapKbPerConnection');
  row('heap per idle Socket.IO connection after full GC, slope (KB)', hw, hn, '≤ 0.5 × Node', hw == null || hn == null ? null : hw <= 0.5 * hn);
  info('RSS per idle Socket.IO connection after full GC, slope (KB)', ['sioIdle', 'rssAfterGcKbPerConnection']);
  info('  idle Socket.IO connections held at most', ['sioIdle', 'maxHeld']);
  for (const n of cfg.callSizes) {
    const w = g(W, 'call', n, 'medianMs'), nn = g(N, 'call', n, 'medianMs'), f = g(F, 'call', n, 'medianMs');
    row(`call setup, ${n} pages, median (ms)`, w, nn, `≤ floor × 1.1 (floor ${fmt(f)} ms)`, w == null || f == null ? null : w <= f * 1.1);
    row(`  calls that did not come up in 20 s, of ${cfg.callReps}`, g(W, 'call', n, 'timeouts'), g(N, 'call', n, 'timeouts'));
  }
  const head = ['metric', 'webcall', 'node', 'ratio w/n', 'target', 'status'];
  const render = (hd, rs) => {
    const widths = hd.map((h, i) => Math.max(h.length, ...rs.map(r => String(r[i]).length)));
    const line = r => '| ' + r.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
    return [line(hd), '|' + widths.map(w => '-'.repeat(w + 2)).join('|') + '|', ...rs.map(line)].join('\n');
  };
  let table = render(head, rows);
  const C = W.cluster;
  if (C && C.cluster && C.single) {
    // Two webcall nodes on one Redis against one node, both webcall: a table of its own, the ratio is 2 nodes / 1 node.
    const crow = [];
    const cr = (name, c, s1, target, met) => {
      crow.push([name, fmt(c), fmt(s1), fmt(ratio(c, s1)), target || '', met === undefined ? '' : met === null ? '?' : met ? 'met' : 'MISSED']);
      if (target) targets['cluster: ' + name] = { cluster: c ?? null, single: s1 ?? null, ratio: ratio(c, s1), target, met: met ?? null };
    };
    const within = (c, s1, k) => (c == null || s1 == null ? null : c <= k * s1);
    const gc = (...p) => [g(C.cluster, ...p), g(C.single, ...p)];
    const [rp, sp] = gc('relay', 'latencyMs', 'p99');
    cr(`relay p99 at a fixed ${cfg.relayFixedRate} msgs/s, every message across nodes (ms)`, rp, sp, '≤ 2 × one node', within(rp, sp, 2));
    cr('  relay p50 (ms)', ...gc('relay', 'latencyMs', 'p50'));
    const [rc, sc] = gc('relay', 'serverCpuUsPerMsg');
    cr('  server CPU per relayed msg, all nodes (µs)', rc, sc, '≤ 3 × one node', within(rc, sc, 3));
    cr('  Redis CPU per relayed msg (µs)', g(C.cluster, 'relay', 'redisCpuUsPerMsg'), null);
    cr('  Redis commands per relayed msg', g(C.cluster, 'relay', 'redisCommandsPerMsg'), null);
    const [jp, js] = gc('rooms', 'joinMs', 'p99');
    cr('room join → user-connected p99, members on both nodes (ms)', jp, js, '≤ 2 × one node', within(jp, js, 2));
    cr('  room leave → user-disconnected p99 (ms)', ...gc('rooms', 'leaveMs', 'p99'));
    cr('  Redis commands per member (PeerJS open, join, leave)', g(C.cluster, 'rooms', 'redisCommandsPerMember'), null);
    const [hp, hs] = gc('idle', 'heapKbPerPeer');
    cr('heap per idle PeerJS peer after full GC, slope (KB)', hp, hs, '≤ 1.2 × one node', within(hp, hs, 1.2));
    cr('  Redis memory per idle PeerJS peer (bytes)', g(C.cluster, 'idle', 'redisBytesPerPeer'), null);
    cr('  Redis memory per room of 4, their PeerJS ids included (bytes)', g(C.cluster, 'held', 'redisBytesPerRoomOf4'), null);
    table += '\n\n' + render(['cluster: 2 nodes + Redis vs 1 node (webcall)', '2 nodes', '1 node', 'ratio', 'target', 'status'], crow);
  }
  return { table, targets };
}
