// Load-generator process for the rooms scenario: R rooms x 4 members. Each member opens a PeerJS socket first (webcall
// requires the userId to be a PeerJS id proven by its token; on Node it is opened too, for a fair comparison), then a
// Socket.IO client over the websocket transport. Members join one after another; the others time user-connected. Then
// members leave one after another; the remaining ones time user-disconnected.
import WebSocket from 'ws';
import { io } from 'socket.io-client';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { srcAddr, sleep } from './stats.mjs';

const PER_IP_MEMBERS = 20; // each member holds 2 WebSockets: 40 per source address, below the per-IP cap of 50
const MEMBERS = 4;
const held = [];

function once(emitterOn, timeoutMs) {
  return new Promise(resolve => {
    const t = setTimeout(() => resolve(null), timeoutMs);
    emitterOn(v => { clearTimeout(t); resolve(v); });
  });
}

async function member({ base, wsBase, room, id, addr, timeoutMs, transport: opts_transport = 'websocket' }) {
  const token = 'k' + id.replace(/[^A-Za-z0-9]/g, '');
  const peer = new WebSocket(`${wsBase}?key=peerjs&id=${id}&token=${token}`, { localAddress: addr, perMessageDeflate: false });
  const opened = await once(cb => { peer.on('message', d => { if (JSON.parse(d.toString()).type === 'OPEN') cb(true); }); peer.on('error', () => cb(false)); }, timeoutMs);
  if (!opened) throw new Error('peerjs open failed for ' + id);
  // Over polling, a keep-alive agent of its own, as a browser reuses its connections (the client's default, no
  // agent, opens a TCP connection per poll and post)
  const agent = opts_transport === 'polling' ? new http.Agent({ keepAlive: true, maxSockets: 2, localAddress: addr }) : undefined;
  const sock = io(base, { transports: [opts_transport], forceNew: true, reconnection: false, localAddress: addr, timeout: timeoutMs, ...(agent && { agent }) });
  const connected = await once(cb => { sock.on('connect', () => cb(true)); sock.on('connect_error', e => cb(false)); }, timeoutMs);
  if (!connected) throw new Error('socket.io connect failed for ' + id);
  const hbTimer = setInterval(() => peer.readyState === 1 && peer.send('{"type":"HEARTBEAT"}'), 5000);
  return { id, token, peer, sock, agent, room, hbTimer, seenConnected: new Map(), seenDisconnected: new Map() };
}

async function runRoom(opts, r, joinLat, leaveLat, errors) {
  const room = `${opts.prefix}r${r}`;
  const ms = [];
  for (let j = 0; j < MEMBERS; j++) {
    const k = r * MEMBERS + j;
    // nodes (cluster scenario): member j's PeerJS and Socket.IO connections go to node j % length, so every room spans
    // the nodes and each join or leave reaches members on the others
    const node = opts.nodes ? opts.nodes[j % opts.nodes.length] : {};
    ms.push(await member({ ...opts, ...node, room, id: `${opts.prefix}-${r}-${j}`, addr: srcAddr(opts.second, Math.floor(k / PER_IP_MEMBERS)) }));
  }
  for (const m of ms) {
    m.sock.on('user-connected', uid => m.seenConnected.set(uid, performance.now()));
    m.sock.on('user-disconnected', uid => m.seenDisconnected.set(uid, performance.now()));
    m.sock.on('join-error', e => { errors['join-error:' + (e && e.error)] = (errors['join-error:' + (e && e.error)] || 0) + 1; });
  }
  // joins, one after another
  for (let j = 0; j < MEMBERS; j++) {
    const m = ms[j];
    const t0 = performance.now();
    m.sock.emit('join-room', room, m.id, { token: m.token }, reply => {
      if (reply && reply.ok === false) errors['join:' + reply.error] = (errors['join:' + reply.error] || 0) + 1;
    });
    const others = ms.slice(0, j);
    const deadline = Date.now() + opts.timeoutMs;
    while (others.some(o => !o.seenConnected.has(m.id)) && Date.now() < deadline) await sleep(2);
    for (const o of others) {
      if (o.seenConnected.has(m.id)) joinLat.push(o.seenConnected.get(m.id) - t0);
      else errors.joinTimeout = (errors.joinTimeout || 0) + 1;
    }
    if (j === 0) await sleep(20); // the first joiner has nobody to tell: give its join a moment to land
  }
  // hold (cluster scenario): the rooms stay, with their members, until the worker exits (memory per room)
  if (opts.hold) { held.push(...ms); return; }
  // leaves, one after another
  for (let j = 0; j < MEMBERS; j++) {
    const m = ms[j];
    const t0 = performance.now();
    m.sock.disconnect();
    const others = ms.slice(j + 1);
    const deadline = Date.now() + opts.timeoutMs;
    while (others.some(o => !o.seenDisconnected.has(m.id)) && Date.now() < deadline) await sleep(2);
    for (const o of others) {
      if (o.seenDisconnected.has(m.id)) leaveLat.push(o.seenDisconnected.get(m.id) - t0);
      else errors.leaveTimeout = (errors.leaveTimeout || 0) + 1;
    }
  }
  for (const m of ms) {
    clearInterval(m.hbTimer);
    m.peer.close();
    // later, not now: the client's last request (Engine.IO's close) may still be on its way
    if (m.agent) setTimeout(() => m.agent.destroy(), 2000);
  }
}

async function rooms(opts) {
  const joinLat = [];
  const leaveLat = [];
  const errors = {};
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  const deadline = Date.now() + opts.deadlineMs;
  async function lane() {
    while (next < opts.rooms && Date.now() < deadline) {
      const r = next++;
      try { await runRoom(opts, r, joinLat, leaveLat, errors); }
      catch (e) { errors[String(e.message).split(' for ')[0]] = (errors[String(e.message).split(' for ')[0]] || 0) + 1; }
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency }, lane));
  const cpu = process.cpuUsage(cpu0);
  return { rooms: opts.rooms, joinLat, leaveLat, errors, wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

process.on('message', async msg => {
  if (msg.cmd === 'exit') { process.send({ id: msg.id, result: { ok: true } }, () => process.exit(0)); return; }
  try {
    const result = await rooms(msg);
    process.send({ id: msg.id, result });
  } catch (e) {
    process.send({ id: msg.id, error: String(e && e.stack || e) });
  }
});
process.on('disconnect', () => process.exit(0));
