// A load-generator process (forked by run.mjs): holds PeerJS WebSockets for the idle scenario and runs relay pairs.
// Commands arrive over IPC; every loop is bounded by a count and a deadline.
import WebSocket from 'ws';
import { performance, monitorEventLoopDelay } from 'node:perf_hooks';
import { srcAddr, sleep, histAdd } from './stats.mjs';

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
    const ws = new WebSocket(peerUrl(wsBase, id, token), { localAddress, perMessageDeflate: false, skipUTF8Validation: true });
    const timer = setTimeout(() => finish({ error: 'timeout' }), timeoutMs);
    function finish(r) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (r.error) { try { ws.terminate(); } catch { /* already gone */ } }
      resolve(r);
    }
    ws.on('message', (data, isBinary) => {
      if (!done) {
        const m = JSON.parse(data.toString());
        if (m.type === 'OPEN') finish({ ws, ms: performance.now() - t0 });
        else finish({ error: m.type + ':' + (m.payload && m.payload.msg) });
        return;
      }
      if (onMessage) onMessage(data, isBinary);
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

// OFFER/CANDIDATE-shaped messages (a 1 KB SDP in one of ten, an ICE candidate in the others). They are built from
// fixed strings around the send time so the generator spends no time in JSON.stringify; "t" comes first in the
// payload so the receiver finds it without parsing the whole message. Both servers pass the payload through as is.
const SDP = JSON.stringify('v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n'.repeat(12));
const CAND = JSON.stringify('candidate:842163049 1 udp 1677729535 127.0.0.1 50000 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag sXbC network-cost 999');
const T_KEY = Buffer.from('"t":');

/** Reads the send time out of a relayed message, or NaN when it is not one of ours. */
function sentAt(buf) {
  const i = buf.indexOf(T_KEY);
  return i < 0 ? NaN : parseFloat(buf.toString('latin1', i + 4, Math.min(buf.length, i + 28)));
}

/** The relay pairs of this process (one relay at a time): opened by relayOpen, driven by relayRun, closed by relayClose. */
let R = null;

/** Opens P pairs of PeerJS sockets; socket i talks to socket i^1. */
// wsBases (cluster scenario): socket i connects to wsBases[i % length], so with two nodes every pair spans both and
// every message crosses from one node to the other
async function relayOpen({ wsBase, wsBases = [wsBase], prefix, pairs, second, addrOffset, timeoutMs }) {
  const n = pairs * 2;
  R = { n, socks: new Array(n), inflight: new Int32Array(n), head: [], tail: [], errors: {}, measuring: false, delivered: 0, lat: {}, loop: false };
  const { socks, inflight, errors } = R;
  const onMsg = i => (data, isBinary) => {
    const c = isBinary ? 0 : data[9]; // {"type":"O… or {"type":"C…
    if (c !== 79 && c !== 67) {
      let type = 'binary';
      try { type = JSON.parse(data.toString()).type; } catch { /* counted as is */ }
      errors['rx:' + type] = (errors['rx:' + type] || 0) + 1;
      return;
    }
    inflight[i ^ 1]--;
    if (R.measuring) { R.delivered++; histAdd(R.lat, performance.now() - sentAt(data)); }
    // closed loop: every message is answered at once, as a browser answers during ICE
    if (R.loop && socks[i].readyState === 1) { inflight[i]++; socks[i].send(R.head[i][1] + performance.now().toFixed(3) + R.tail[i][1]); }
  };
  for (let i = 0; i < n; i++) {
    const dst = JSON.stringify(`${prefix}-${i ^ 1}`);
    R.head.push([`{"type":"OFFER","dst":${dst},"payload":{"t":`, `{"type":"CANDIDATE","dst":${dst},"payload":{"t":`]);
    R.tail.push([`,"type":"media","connectionId":"mc_bench${i}","sdp":{"type":"offer","sdp":${SDP}}}}`,
      `,"type":"media","connectionId":"mc_bench${i}","candidate":{"candidate":${CAND},"sdpMLineIndex":0,"sdpMid":"0"}}}`]);
  }
  const opens = [];
  for (let i = 0; i < n; i++) {
    opens.push(openPeer(wsBases[i % wsBases.length], `${prefix}-${i}`, `r${i}x`, srcAddr(second, addrOffset + Math.floor(i / PER_IP)), timeoutMs, onMsg(i))
      .then(r => { if (r.error) errors[r.error] = (errors[r.error] || 0) + 1; else socks[i] = r.ws; }));
    if (opens.length % 200 === 0) await Promise.all(opens.slice(-200));
  }
  await Promise.all(opens);
  return { sockets: socks.filter(Boolean).length, errors };
}

/**
 * Waits out the warm-up, then counts (R.measuring) for durationMs: the wall time, this process's CPU and its event-loop
 * delay over that window, which tell whether the generator itself was the limit.
 */
async function measured(warmupMs, durationMs) {
  await sleep(warmupMs);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  R.measuring = true;
  await sleep(durationMs);
  R.measuring = false;
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  return { wall, cpu, loop };
}

/**
 * Each socket sends to its partner at most ratePerSocket messages per second with at most `window` of them not yet
 * delivered (closed loop: a slow server slows the senders down instead of piling up queues). Warms up, then measures
 * for durationMs. Also reports how often senders were held back by the window (waiting for the server) rather than by
 * their rate, and this process's event-loop delay and CPU, which tell whether the server or this generator was the
 * limit.
 */
async function relayRun({ ratePerSocket, window, warmupMs, durationMs }) {
  const { n, socks, inflight, head, tail, errors } = R;
  // random starting credit spreads the sockets' sends over time instead of all of them firing in the same tick
  const tokens = Float64Array.from({ length: n }, () => Math.random());
  inflight.fill(0);
  R.delivered = 0;
  R.lat = {};
  let sent = 0;
  let heldByWindow = 0;
  let heldByRate = 0;
  let seq = 0;
  let last = performance.now();
  const cap = Math.max(1, ratePerSocket * 0.05);
  const tick = setInterval(() => {
    const now = performance.now();
    const dt = (now - last) / 1000;
    last = now;
    for (let i = 0; i < n; i++) {
      const ws = socks[i];
      if (!ws || !socks[i ^ 1] || ws.readyState !== 1) continue;
      tokens[i] = Math.min(cap, tokens[i] + ratePerSocket * dt);
      while (tokens[i] >= 1 && inflight[i] < window) {
        tokens[i] -= 1;
        inflight[i]++;
        const k = seq++ % 10 === 0 ? 0 : 1;
        ws.send(head[i][k] + performance.now().toFixed(3) + tail[i][k]);
        if (R.measuring) sent++;
      }
      if (R.measuring) { if (tokens[i] >= 1) heldByWindow++; else heldByRate++; }
    }
  }, 5);
  const { wall, cpu, loop } = await measured(warmupMs, durationMs);
  clearInterval(tick);
  await sleep(500); // let the messages in flight arrive before the next phase
  let closedEarly = 0;
  for (const ws of socks) if (ws && ws.readyState !== 1) closedEarly++;
  return {
    sockets: socks.filter(Boolean).length, delivered: R.delivered, sent, wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000,
    closedEarly, errors,
    heldByWindowPct: Math.round(100 * heldByWindow / Math.max(1, heldByWindow + heldByRate)),
    loopDelayP99Ms: Math.round(loop.percentile(99) / 1e4) / 100,
    lat: R.lat, // histogram, see stats.mjs
  };
}

/**
 * Closed loop: each pair keeps `window` candidate-sized messages in flight, each answered by the other side as soon as
 * it arrives, so the server's latency sets the pace (a sender that waits for answers, as a browser does during ICE).
 */
async function relayLoop({ window, warmupMs, durationMs }) {
  const { n, socks, errors } = R;
  R.delivered = 0;
  R.lat = {};
  R.inflight.fill(0);
  R.loop = true;
  for (let i = 0; i < n; i += 2) {
    if (!socks[i] || !socks[i + 1]) continue;
    for (let k = 0; k < window; k++) { R.inflight[i]++; socks[i].send(R.head[i][1] + performance.now().toFixed(3) + R.tail[i][1]); }
  }
  const { wall, cpu, loop } = await measured(warmupMs, durationMs);
  R.loop = false;
  await sleep(500); // the messages still in flight arrive unanswered
  let closedEarly = 0;
  for (const ws of socks) if (ws && ws.readyState !== 1) closedEarly++;
  return {
    sockets: socks.filter(Boolean).length, delivered: R.delivered, wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000,
    closedEarly, errors, loopDelayP99Ms: Math.round(loop.percentile(99) / 1e4) / 100, lat: R.lat,
  };
}

async function relayClose() {
  if (!R) return { ok: true };
  for (const ws of R.socks) if (ws) ws.close();
  R = null;
  await sleep(300);
  return { ok: true };
}

process.on('message', async msg => {
  try {
    let result;
    if (msg.cmd === 'open') result = await openIdle(msg);
    else if (msg.cmd === 'relay-open') result = await relayOpen(msg);
    else if (msg.cmd === 'relay-run') result = await relayRun(msg);
    else if (msg.cmd === 'relay-loop') result = await relayLoop(msg);
    else if (msg.cmd === 'relay-close') result = await relayClose();
    else if (msg.cmd === 'close-idle') {
      for (const ws of idle) ws.terminate();
      idle.length = 0;
      await sleep(500);
      result = { ok: true };
    }
    else if (msg.cmd === 'count') result = { open: idle.filter(ws => ws.readyState === 1).length, held: idle.length };
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
