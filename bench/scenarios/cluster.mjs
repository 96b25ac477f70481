// Scale-out: two webcall nodes on one Redis against one node alone, in the same run. webcall only (the reference has
// no cluster). Relay at a fixed rate with every message crossing from one node to the other, room joins and leaves
// with each room's members on both nodes, heap per idle PeerJS peer with and without Redis, and what Redis holds and
// does per peer, per room and per member's visit (PeerJS open, join, leave).
import { round, histSummary, summary, sleep } from '../lib/stats.mjs';
import { startServer, stopServer, startWorker, startRedis, procCpu, afterGc, slope, log } from '../lib/procs.mjs';

const cpuOf = pids => pids.map(procCpu).reduce((a, c) => a + c.totalMs, 0);

/** Relay at cfg.relayFixedRate msgs/s over pairs whose two sockets are on servers[0] and servers[last]. */
async function relayFixed(cfg, servers, redis, tag) {
  const workers = Array.from({ length: cfg.relayWorkers }, () => startWorker('peers-worker.mjs'));
  try {
    const wsBases = servers.map(s => s.wsBase);
    const opened = await Promise.all(workers.map((w, i) => w.call({
      cmd: 'relay-open', wsBases, prefix: `c${tag}${i}${Date.now().toString(36)}`, pairs: cfg.relayPairs,
      second: 5, addrOffset: i * 100, timeoutMs: 10000,
    })));
    const sockets = opened.reduce((a, r) => a + r.sockets, 0);
    const warmupMs = cfg.clusterWarmSec * 1000, durationMs = cfg.relaySec * 1000;
    const pids = servers.map(s => s.pid);
    let c0 = null, c1 = null, r0 = null, r1 = null, k0 = null, k1 = null;
    const t0 = setTimeout(async () => { c0 = cpuOf(pids); if (redis) { r0 = procCpu(redis.pid).totalMs; k0 = (await redis.info('stats')).total_commands_processed; } }, warmupMs);
    const t1 = setTimeout(async () => { c1 = cpuOf(pids); if (redis) { r1 = procCpu(redis.pid).totalMs; k1 = (await redis.info('stats')).total_commands_processed; } }, warmupMs + durationMs);
    const rs = await Promise.all(workers.map(w => w.call({ cmd: 'relay-run', ratePerSocket: cfg.relayFixedRate / sockets, window: 8, warmupMs, durationMs })));
    clearTimeout(t0); clearTimeout(t1);
    await sleep(200); // the INFO reads above may still be on their way
    const delivered = rs.reduce((a, r) => a + r.delivered, 0);
    const wallS = Math.max(...rs.map(r => r.wallMs)) / 1000;
    const perMsgUs = (a, b) => (a === null || b === null || !delivered ? null : round(1000 * (b - a) / delivered, 1));
    return {
      nodes: servers.length, sockets, msgsPerSec: Math.round(delivered / wallS), latencyMs: histSummary(rs.map(r => r.lat)),
      serverCpuUsPerMsg: perMsgUs(c0, c1),
      ...(redis && { redisCpuUsPerMsg: perMsgUs(r0, r1), redisCommandsPerMsg: k0 === null || k1 === null || !delivered ? null : round((k1 - k0) / delivered, 2) }),
      errors: Object.assign({}, ...opened.map(r => r.errors), ...rs.map(r => r.errors)),
    };
  } finally {
    for (const w of workers) await w.stop();
  }
}

/** Rooms of 4 over WebSocket, member j on servers[j % length]: join → user-connected and leave → user-disconnected. */
async function roomsAcross(cfg, servers, redis, tag) {
  const workers = [startWorker('rooms-worker.mjs'), startWorker('rooms-worker.mjs')];
  try {
    const nodes = servers.map(s => ({ base: s.base, wsBase: s.wsBase }));
    const opts = { nodes, transport: 'websocket', concurrency: 5, timeoutMs: 5000, deadlineMs: 180000 };
    const stamp = Date.now().toString(36);
    await Promise.all(workers.map((w, i) => w.call({ ...opts, prefix: `cw${tag}${i}${stamp}`, rooms: cfg.clusterRoomsWarm / 2, second: 16 + i * 2 }, 240000)));
    const k0 = redis && (await redis.info('stats')).total_commands_processed;
    const rs = await Promise.all(workers.map((w, i) => w.call({ ...opts, prefix: `cm${tag}${i}${stamp}`, rooms: cfg.rooms / 2, second: 6 + i * 2 }, 240000)));
    const k1 = redis && (await redis.info('stats')).total_commands_processed;
    const errors = {};
    rs.forEach(r => Object.entries(r.errors).forEach(([k, v]) => { errors[k] = (errors[k] || 0) + v; }));
    const members = rs.reduce((a, r) => a + r.rooms, 0) * 4;
    return {
      rooms: members / 4, joinMs: summary(rs.flatMap(r => r.joinLat)), leaveMs: summary(rs.flatMap(r => r.leaveLat)), errors,
      // each member: a PeerJS socket opened and closed, a join, a leave, and the heartbeats of its few seconds
      ...(redis && { redisCommandsPerMember: round((k1 - k0) / members, 1) }),
    };
  } finally {
    for (const w of workers) await w.stop();
  }
}

/** Heap per idle PeerJS peer after full GC on servers[0] (slope over steps), and Redis's memory per peer. */
async function idlePeers(cfg, servers, redis, tag) {
  const w = startWorker('peers-worker.mjs');
  const s = servers[0];
  const points = [];
  try {
    const m0 = redis && (await redis.info('memory')).used_memory;
    points.push({ n: 0, ...await afterGc(s) });
    let held = 0;
    for (const N of cfg.clusterIdleSteps) {
      const r = await w.call({ cmd: 'open', wsBase: s.wsBase, prefix: `ci${tag}${Date.now().toString(36)}`, from: held, to: N, second: 12, concurrency: 50, timeoutMs: 10000, deadlineMs: 120000 });
      held += r.held;
      await sleep(5500); // a heartbeat round
      points.push({ n: held, ...await afterGc(s) });
    }
    const m1 = redis && (await redis.info('memory')).used_memory;
    const steps = points.filter(p => p.n > 0);
    return {
      held, heapKbPerPeer: round(slope(steps.map(p => ({ n: p.n, kb: p.heapKb }))), 3),
      ...(redis && { redisBytesPerPeer: Math.round((m1 - m0) / held) }),
    };
  } finally {
    await w.stop();
  }
}

/** Redis's memory per room of 4 held open (their 4 PeerJS ids included). */
async function heldRooms(cfg, servers, redis) {
  const w = startWorker('rooms-worker.mjs');
  try {
    const m0 = (await redis.info('memory')).used_memory;
    const nodes = servers.map(s => ({ base: s.base, wsBase: s.wsBase }));
    const r = await w.call({ nodes, transport: 'websocket', concurrency: 5, timeoutMs: 5000, deadlineMs: 180000, prefix: `ch${Date.now().toString(36)}`, rooms: cfg.rooms, second: 20, hold: true }, 240000);
    await sleep(1500);
    const m1 = (await redis.info('memory')).used_memory;
    return { rooms: r.rooms, redisBytesPerRoomOf4: Math.round((m1 - m0) / r.rooms), errors: r.errors };
  } finally {
    await w.stop();
  }
}

export default async function cluster(kind, { cfg, env }) {
  if (kind !== 'webcall') return null;
  const out = {};
  const one = [await startServer(env, 'webcall')];
  try {
    out.single = { relay: await relayFixed(cfg, one, null, 's'), rooms: await roomsAcross(cfg, one, null, 's') };
    out.single.idle = await idlePeers(cfg, one, null, 's');
  } finally { await stopServer(one[0]); }
  log('webcall cluster single', JSON.stringify(out.single));
  const redis = await startRedis(env);
  const lease = ['--redis-url', redis.url];
  const two = [];
  try {
    two.push(await startServer(env, 'webcall', { webcallArgs: lease }), await startServer(env, 'webcall', { webcallArgs: lease }));
    out.cluster = { relay: await relayFixed(cfg, two, redis, 'c'), rooms: await roomsAcross(cfg, two, redis, 'c') };
    out.cluster.idle = await idlePeers(cfg, two, redis, 'c');
    out.cluster.held = await heldRooms(cfg, two, redis);
    const redisInfo = await redis.info('server');
    out.redisVersion = redisInfo.redis_version;
  } finally {
    for (const s of two) await stopServer(s);
    await redis.stop();
  }
  log('webcall cluster two nodes', JSON.stringify(out.cluster));
  return out;
}
