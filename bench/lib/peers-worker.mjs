// A load-generator process (forked by run.mjs): holds PeerJS WebSockets for the idle scenario and runs relay pairs.
// Commands arrive over IPC; every loop is bounded by a count and a deadline.
import WebSocket from 'ws';
import { performance } from 'node:perf_hooks';
import { srcAddr, sleep } from './stats.mjs';

const PER_IP = 40; // below webcall's per-IP WebSocket cap of 50
const idle = []; // open idle sockets
let hbTimer = null;

function peerUrl(wsBase, id, token) {
  return `${wsBase}?key=peerjs&id=${encodeURIComponent(id)}&token=${token}`;
}

/** Opens one PeerJS socket; resolves {ws, ms} once OPEN arrives, or {error}. */
function openPeer(wsBase, id, token, localAddress, timeoutMs, onMessage) {
  return new Promise(resolve => {
    const t0 = performance.now();
    let done = false;
    const ws = new WebSocket(peerUrl(wsBase, id, token), { localAddress, perMessageDeflate: false });
    const timer = setTimeout(() => finish({ error: 'timeout' }), timeoutMs);
    function finish(r) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (r.error) { try { ws.terminate(); } catch { /* already gone */ } }
      resolve(r);
    }
    ws.on('message', data => {
      if (!done) {
        const m = JSON.parse(data.toString());
        if (m.type === 'OPEN') finish({ ws, ms: performance.now() - t0 });
        else finish({ error: m.type + ':' + (m.payload && m.payload.msg) });
        return;
      }
      if (onMessage) onMessage(data);
    });
    ws.on('error', e => finish({ error: e.code || e.message }));
    ws.on('close', () => finish({ error: 'closed' }));
  });
}

async function openIdle({ wsBase, prefix, from, to, second, concurrency, timeoutMs, deadlineMs }) {
  const times = [];
  const errors = {};
  const deadline = Date.now() + deadlineMs;
  let next = from;
  async function lane() {
    while (next < to && Date.now() < deadline) {
      const g = next++;
      const r = await openPeer(wsBase, `${prefix}-${g}`, `t${g}x`, srcAddr(second, Math.floor(g / PER_IP)), timeoutMs);
      if (r.error) errors[r.error] = (errors[r.error] || 0) + 1;
      else { times.push(r.ms); idle.push(r.ws); r.ws.on('close', () => { errors.closedLater = (errors.closedLater || 0) + 1; }); }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  if (!hbTimer) {
    // HEARTBEAT every 5 s per socket, spread over 50 slots of 100 ms so the server sees a steady rate.
    let slot = 0;
    hbTimer = setInterval(() => {
      const hb = '{"type":"HEARTBEAT"}';
      for (let i = slot; i < idle.length; i += 50) if (idle[i].readyState === 1) idle[i].send(hb);
      slot = (slot + 1) % 50;
    }, 100);
  }
  return { opened: times.length, errors, times: times.map(t => Math.round(t * 100) / 100), held: idle.length };
}

const SDP = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n'.repeat(12);
const CAND = 'candidate:842163049 1 udp 1677729535 127.0.0.1 50000 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag sXbC network-cost 999';

async function relay({ wsBase, prefix, pairs, second, addrOffset, ratePerSocket, window, warmupMs, durationMs, timeoutMs }) {
  const n = pairs * 2;
  const socks = new Array(n);
  const inflight = new Int32Array(n);
  const tokens = new Float64Array(n);
  let measuring = false;
  let sending = true;
  let delivered = 0;
  let sent = 0;
  const lat = [];
  const errors = {};
  const onMsg = i => data => {
    const m = JSON.parse(data.toString());
    if (m.type !== 'OFFER' && m.type !== 'CANDIDATE') { errors['rx:' + m.type] = (errors['rx:' + m.type] || 0) + 1; return; }
    const from = i ^ 1;
    inflight[from]--;
    if (measuring) { delivered++; lat.push(performance.now() - m.payload.t); }
  };
  const opens = [];
  for (let i = 0; i < n; i++) {
    opens.push(openPeer(wsBase, `${prefix}-${i}`, `r${i}x`, srcAddr(second, addrOffset + Math.floor(i / PER_IP)), timeoutMs, onMsg(i))
      .then(r => { if (r.error) errors[r.error] = (errors[r.error] || 0) + 1; else socks[i] = r.ws; }));
    if (opens.length % 200 === 0) await Promise.all(opens.slice(-200));
  }
  await Promise.all(opens);
  const ok = socks.filter(Boolean).length;
  let seq = 0;
  let last = performance.now();
  const cap = Math.max(1, ratePerSocket * 0.05);
  const tick = setInterval(() => {
    if (!sending) return;
    const now = performance.now();
    const dt = (now - last) / 1000;
    last = now;
    for (let i = 0; i < n; i++) {
      const ws = socks[i];
      if (!ws || !socks[i ^ 1]) continue;
      tokens[i] = Math.min(cap, tokens[i] + ratePerSocket * dt);
      while (tokens[i] >= 1 && inflight[i] < window) {
        tokens[i] -= 1;
        inflight[i]++;
        const s = seq++;
        const dst = `${prefix}-${i ^ 1}`;
        const msg = s % 10 === 0
          ? { type: 'OFFER', dst, payload: { type: 'media', connectionId: 'mc_bench' + i, sdp: { type: 'offer', sdp: SDP }, t: performance.now(), seq: s } }
          : { type: 'CANDIDATE', dst, payload: { type: 'media', connectionId: 'mc_bench' + i, candidate: { candidate: CAND, sdpMLineIndex: 0, sdpMid: '0' }, t: performance.now(), seq: s } };
        ws.send(JSON.stringify(msg));
        if (measuring) sent++;
      }
    }
  }, 5);
  await sleep(warmupMs);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  measuring = true;
  await sleep(durationMs);
  measuring = false;
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  sending = false;
  clearInterval(tick);
  await sleep(300);
  let closedEarly = 0;
  for (const ws of socks) if (ws) { if (ws.readyState !== 1) closedEarly++; ws.close(); }
  await sleep(200);
  return { sockets: ok, delivered, sent, wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000, closedEarly, errors, lat: lat.map(x => Math.round(x * 100) / 100) };
}

process.on('message', async msg => {
  try {
    let result;
    if (msg.cmd === 'open') result = await openIdle(msg);
    else if (msg.cmd === 'relay') result = await relay(msg);
    else if (msg.cmd === 'cpu') { const c = process.cpuUsage(); result = { cpuMs: (c.user + c.system) / 1000 }; }
    else if (msg.cmd === 'exit') {
      if (hbTimer) clearInterval(hbTimer);
      for (const ws of idle) ws.terminate();
      process.send({ id: msg.id, result: { ok: true } }, () => process.exit(0));
      return;
    }
    process.send({ id: msg.id, result });
  } catch (e) {
    process.send({ id: msg.id, error: String(e && e.stack || e) });
  }
});
process.on('disconnect', () => process.exit(0));
