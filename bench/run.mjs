// webcall vs the Node reference, side by side. Usage: bench/run [--quick] (the bash wrapper builds and installs first)
//   node bench/run.mjs --jar target/webcall.jar --ref /path/to/reference-node-copy [--quick]
//     [--only startup,idle,relay,rooms,call] [--servers webcall,node] [--quiet LOAD] [--out DIR]
// Prints a table (webcall, node, ratio webcall/node, target) and a final single-line JSON. Stops every process it
// started, also on failure.
import { spawn, fork, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summary, round, sleep, histSummary } from './lib/stats.mjs';
import { callSetup, floorSetup, startFloorServer } from './lib/call.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);
const argv = process.argv.slice(2);
const flag = n => argv.includes(n);
const opt = (n, d) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : d; };
const QUICK = flag('--quick');
const JAR = path.resolve(opt('--jar', path.join(here, '..', 'target', 'webcall.jar')));
const REF = path.resolve(opt('--ref', ''));
const ONLY = opt('--only', 'startup,idle,relay,rooms,call').split(',');
const SERVERS = opt('--servers', 'webcall,node').split(',');
const JAVA_OPTS = (process.env.WEBCALL_JAVA_OPTS || '').split(' ').filter(Boolean);
const QUIET = Number(opt('--quiet', 0)); // wait (at most 10 min) for the 1-minute load average to fall to this
const OUT = path.resolve(opt('--out', path.join(here, 'results')));
fs.mkdirSync(OUT, { recursive: true });

const CFG = QUICK
  ? { idleSteps: [500, 2000], idleWarm: 300, idleWorkers: 1, relayPairs: 150, relayWorkers: 2, relaySec: 3, relayWarmSec: 3, relayFixedRate: 2000, rooms: 20, roomsWarm: 10, callReps: 1, callSizes: [2], callWarmPages: 0, callWarmRooms: 0, startups: 1 }
  : { idleSteps: [1000, 5000, 10000, 15000, 19990], idleWarm: 500, idleWorkers: 3, relayPairs: 500, relayWorkers: 2, relaySec: 10, relayWarmSec: 15, relayFixedRate: 4000, rooms: 200, roomsWarm: 2000, callReps: 3, callSizes: [2, 4], callWarmPages: 100, callWarmRooms: 100, startups: 3 };
// The last idle step asks for more than a server process can hold: it may keep at most 20 000 files open (ulimit -n),
// its own jars, pipes and listening socket included, so it stops a few dozen short; where it stops is reported.
const CONCURRENT_LIMIT = 30000;

// ---------------------------------------------------------------- processes we started (stopped on any exit)
const started = new Set();
function track(child) { started.add(child); child.on('exit', () => started.delete(child)); return child; }
function killAll() { for (const c of started) { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } } }
process.on('exit', killAll);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { killAll(); process.exit(130); });

function log(...a) { process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`); }

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

async function startServer(kind, { extraFlags = true, jvm = [] } = {}) {
  const port = await freePort();
  let child;
  const logFile = fs.openSync(path.join(OUT, `${kind}-server.log`), 'a');
  const memFile = path.join(OUT, `.node-mem-${port}.json`);
  const t0 = performance.now();
  if (kind === 'webcall') {
    // --stun-port 0: the built-in STUN responder runs as by default, on a free UDP port instead of 3478, which another
    // webcall on this machine may hold
    const args = [...JAVA_OPTS, ...jvm, '-jar', JAR, '--host', '127.0.0.1', '--port', String(port), '--stun-port', '0'];
    if (extraFlags) args.push('--concurrent_limit', String(CONCURRENT_LIMIT));
    child = track(spawn('java', args, { stdio: ['ignore', 'pipe', logFile], env: { ...process.env, WEBCALL_LOG_LEVEL: process.env.WEBCALL_LOG_LEVEL || 'WARN' } }));
  } else {
    const args = extraFlags ? ['--expose-gc', '-r', path.join(here, 'ref-preload.cjs'), 'server.js'] : ['server.js'];
    child = track(spawn('node', [...args, '--port', String(port), '--host', '127.0.0.1'], { cwd: REF, stdio: ['ignore', 'pipe', logFile], env: { ...process.env, BENCH_CONCURRENT_LIMIT: String(CONCURRENT_LIMIT), BENCH_MEM_FILE: memFile } }));
  }
  const ready = kind === 'webcall' ? 'webcall listening on' : 'READY http';
  await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${kind} did not start in 30 s`)), 30000);
    child.stdout.on('data', d => { buf += d; if (buf.includes(ready)) { clearTimeout(timer); resolve(); } });
    child.on('exit', code => { clearTimeout(timer); reject(new Error(`${kind} exited with ${code}`)); });
  });
  const startupMs = performance.now() - t0;
  child.stdout.resume();
  const base = `http://127.0.0.1:${port}`;
  return { kind, child, pid: child.pid, port, base, wsBase: `ws://127.0.0.1:${port}/peerjs/peerjs`, startupMs, memFile };
}

async function stopServer(s) {
  if (!s || s.child.exitCode !== null) return;
  const exited = new Promise(r => s.child.once('exit', r));
  try { process.kill(s.pid, 'SIGTERM'); } catch { return; }
  const t = setTimeout(() => { try { process.kill(s.pid, 'SIGKILL'); } catch { /* gone */ } }, 10000);
  await exited;
  clearTimeout(t);
  fs.rmSync(s.memFile, { force: true });
}

function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : null;
}
/** CPU time (user, kernel) in ms and write-class syscalls so far (/proc/PID/stat and /proc/PID/io). */
function procCpu(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const io = Object.fromEntries(fs.readFileSync(`/proc/${pid}/io`, 'utf8').trim().split('\n').map(l => l.split(': ')).map(([k, v]) => [k, Number(v)]));
  const userMs = Number(f[11]) * 10, sysMs = Number(f[12]) * 10; // clock ticks of 1/100 s
  return { userMs, sysMs, totalMs: userMs + sysMs, writes: io.syscw };
}
/** Java heap in use after a full GC, in KB (jcmd GC.run, then jstat's S0U+S1U+EU+OU). */
async function heapAfterGcKb(pid) {
  await run('jcmd', [String(pid), 'GC.run']);
  const { stdout } = await run('jstat', ['-gc', String(pid)]);
  const [h, v] = stdout.trim().split('\n').map(l => l.trim().split(/\s+/));
  const col = n => Number(v[h.indexOf(n)]);
  return col('S0U') + col('S1U') + col('EU') + col('OU');
}
/** The JIT's work so far (jstat -compiler): methods compiled and seconds spent compiling, to tell a warm server. */
async function jitSoFar(pid) {
  const { stdout } = await run('jstat', ['-compiler', String(pid)]);
  const [h, v] = stdout.trim().split('\n').map(l => l.trim().split(/\s+/));
  return { compiled: Number(v[h.indexOf('Compiled')]), ms: 1000 * Number(v[h.indexOf('Time')]) };
}
/** Node's V8 heap in use after a full GC, in KB (the preload's SIGUSR2 handler; needs --expose-gc). */
async function nodeHeapAfterGcKb(s) {
  fs.truncateSync(s.memFile, 0); // the preload writes a fresh line into it on SIGUSR2
  process.kill(s.pid, 'SIGUSR2');
  for (let i = 0; i < 200; i++) {
    await sleep(50);
    const text = fs.readFileSync(s.memFile, 'utf8');
    if (text.endsWith('\n')) return JSON.parse(text).heapUsed / 1024;
  }
  throw new Error('the Node reference did not report its heap');
}
/** Heap in use after a full GC (KB), then the process's RSS (KB) right after that GC. */
async function afterGc(s) {
  const heapKb = s.kind === 'webcall' ? await heapAfterGcKb(s.pid) : await nodeHeapAfterGcKb(s);
  await sleep(500);
  return { heapKb: round(heapKb, 0), rssAfterGcKb: rssKb(s.pid) };
}
async function histogram(pid) {
  const { stdout } = await run('jcmd', [String(pid), 'GC.class_histogram'], { maxBuffer: 64 << 20 });
  const m = new Map();
  for (const line of stdout.split('\n')) {
    const r = /^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)/.exec(line);
    if (r) m.set(r[3], { n: Number(r[1]), bytes: Number(r[2]) });
  }
  return m;
}

// ---------------------------------------------------------------- worker processes (the load generator)
function startWorker(file) {
  const w = track(fork(path.join(here, 'lib', file), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  let seq = 0;
  const pending = new Map();
  w.on('message', m => { const p = pending.get(m.id); if (p) { pending.delete(m.id); m.error ? p.reject(new Error(m.error)) : p.resolve(m.result); } });
  w.on('exit', () => { for (const p of pending.values()) p.reject(new Error(file + ' exited')); pending.clear(); });
  w.call = (msg, timeoutMs = 300000) => new Promise((resolve, reject) => {
    const id = ++seq;
    const t = setTimeout(() => { pending.delete(id); reject(new Error(`${file} ${msg.cmd} timed out`)); }, timeoutMs);
    pending.set(id, { resolve: v => { clearTimeout(t); resolve(v); }, reject: e => { clearTimeout(t); reject(e); } });
    w.send({ ...msg, id });
  });
  w.stop = async () => { if (w.exitCode === null) { try { await w.call({ cmd: 'exit' }, 10000); } catch { /* killed below */ } } if (w.exitCode === null) w.kill('SIGKILL'); };
  return w;
}

// ---------------------------------------------------------------- scenarios
function slope(points) { // least squares KB per peer
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((a, p) => a + p.n, 0) / n, my = points.reduce((a, p) => a + p.kb, 0) / n;
  const num = points.reduce((a, p) => a + (p.n - mx) * (p.kb - my), 0), den = points.reduce((a, p) => a + (p.n - mx) ** 2, 0);
  return num / den;
}

async function startup(kind) {
  const times = [], rss = [];
  for (let i = 0; i < CFG.startups; i++) {
    const s = await startServer(kind, { extraFlags: false });
    try {
      times.push(s.startupMs);
      await sleep(3000);
      rss.push(rssKb(s.pid));
    } finally { await stopServer(s); }
  }
  return { startupMs: summary(times), idleRssKb: Math.max(...rss), rssAll: rss };
}

function fdInfo(pid) {
  const open = fs.readdirSync(`/proc/${pid}/fd`).length;
  const m = /Max open files\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return { open, limit: m ? Number(m[1]) : null };
}

// JVM flags that make the JVM's RSS follow its live heap (a small young generation, a compacting GC that hands back
// memory): measured in the full run as well, to show what RSS per idle peer the default G1 sizing adds.
const LEAN_JVM = ['-XX:+UseSerialGC', '-Xmn16m'];

async function idle(kind, jvm = []) {
  const s = await startServer(kind, { jvm });
  const workers = Array.from({ length: CFG.idleWorkers }, () => startWorker('peers-worker.mjs'));
  const prefix = `i${kind[0]}${Date.now().toString(36)}`;
  const points = [], open = [], errors = {};
  let held = 0, histFirst = null, histLast = null, fdAtMax = null;
  try {
    // warm-up, not counted: open and close some peers so that time to OPEN is not the time to compile the code
    await Promise.all(workers.map((w, i) => w.call({ cmd: 'open', wsBase: s.wsBase, prefix: `${prefix}w`, from: i * 1000, to: i * 1000 + CFG.idleWarm, second: 11, concurrency: 50, timeoutMs: 10000, deadlineMs: 60000 })));
    await Promise.all(workers.map(w => w.call({ cmd: 'close-idle' })));
    await sleep(2000);
    points.push({ n: 0, rssKb: rssKb(s.pid), ...await afterGc(s), fd: fdInfo(s.pid) });
    for (const N of CFG.idleSteps) {
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
    fs.writeFileSync(path.join(OUT, `histogram-per-peer${jvm.length ? '-lean' : ''}${QUICK ? '-quick' : ''}.txt`),
      `# webcall heap per idle PeerJS peer: jcmd GC.class_histogram at ${histLast.n} peers minus at ${histFirst.n}, divided by ${dn}\n` +
      rows.filter(r => Math.abs(r.perPeerBytes) >= 1).map(r => `${String(r.perPeerBytes).padStart(8)} B ${String(r.perPeerObjs).padStart(6)} objs  ${r.cls}`).join('\n') + '\n');
  }
  return res;
}

async function relay(kind) {
  const s = await startServer(kind);
  const workers = Array.from({ length: CFG.relayWorkers }, () => startWorker('peers-worker.mjs'));
  const out = {};
  try {
    const opened = await Promise.all(workers.map((w, i) => w.call({
      cmd: 'relay-open', wsBase: s.wsBase, prefix: `r${kind[0]}${i}${Date.now().toString(36)}`, pairs: CFG.relayPairs,
      second: 2, addrOffset: i * 100, timeoutMs: 10000,
    })));
    const sockets = opened.reduce((a, r) => a + r.sockets, 0);
    // "max": every socket offers 90 msgs/s (under webcall's 100/s per-socket limit) with at most 8 in flight, far more
    // than either server can relay, so the server sets the pace. "fixed": the same sockets offer a fixed total rate that
    // both servers carry easily, to read latency without queueing.
    for (const [phase, rate] of [['max', 90], ['fixed', CFG.relayFixedRate / sockets]]) {
      // a fresh JVM spends its first seconds compiling (a fifth of webcall's CPU in the first 13 s of relaying), so the
      // full run warms up long enough to measure the steady state of both servers
      const warmupMs = phase === 'max' ? CFG.relayWarmSec * 1000 : 2000, durationMs = CFG.relaySec * 1000;
      let cpu0 = null, cpu1 = null;
      const t0 = setTimeout(() => { cpu0 = procCpu(s.pid); }, warmupMs);
      const t1 = setTimeout(() => { cpu1 = procCpu(s.pid); }, warmupMs + durationMs);
      const rs = await Promise.all(workers.map(w => w.call({ cmd: 'relay-run', ratePerSocket: rate, window: 8, warmupMs, durationMs })));
      clearTimeout(t0); clearTimeout(t1);
      const delivered = rs.reduce((a, r) => a + r.delivered, 0);
      const wallS = Math.max(...rs.map(r => r.wallMs)) / 1000;
      const both = cpu0 !== null && cpu1 !== null;
      const serverCpuMs = both ? cpu1.totalMs - cpu0.totalMs : null;
      const perMsg = k => both && delivered ? round((cpu1[k] - cpu0[k]) / delivered, 2) : null;
      out[phase] = {
        sockets, offeredPerSocket: round(rate, 2),
        msgsPerSec: Math.round(delivered / wallS), latencyMs: histSummary(rs.map(r => r.lat)),
        serverCpuPct: serverCpuMs === null ? null : round(100 * serverCpuMs / (durationMs), 0),
        serverCpuUsPerMsg: serverCpuMs === null || !delivered ? null : round(1000 * serverCpuMs / delivered, 1),
        serverKernelPct: both && serverCpuMs ? round(100 * (cpu1.sysMs - cpu0.sysMs) / serverCpuMs, 0) : null,
        // write(v) calls only: /proc/PID/io does not count the recvfrom that Netty reads with
        serverWritesPerMsg: perMsg('writes'),
        generatorCpuPct: rs.map(r => round(100 * r.cpuMs / r.wallMs, 0)),
        generatorLoopDelayP99Ms: rs.map(r => r.loopDelayP99Ms),
        heldByWindowPct: rs.map(r => r.heldByWindowPct),
        closedEarly: rs.reduce((a, r) => a + r.closedEarly, 0),
        errors: Object.assign({}, ...opened.map(r => r.errors), ...rs.map(r => r.errors)),
        loadavg: os.loadavg().map(x => round(x, 2)),
      };
      log(kind, 'relay', phase, JSON.stringify({ ...out[phase], latencyMs: out[phase].latencyMs }));
    }
  } finally {
    for (const w of workers) await w.stop();
    await stopServer(s);
  }
  return out;
}

// The Node reference cannot carry Socket.IO over WebSocket: peer's WebSocketServer, attached to the same HTTP server
// with a path, answers every other upgrade with a 400 written after engine.io's 101 ("RSV1 must be clear" at the
// client), so its browsers stay on HTTP long-polling. Node is therefore measured on polling, webcall on both.
async function rooms(kind) {
  const out = {};
  for (const transport of kind === 'webcall' ? ['websocket', 'polling'] : ['polling']) {
    const s = await startServer(kind);
    // two generator processes of 5 rooms at a time each: one process driving 40 polling clients is busy most of the time
    const workers = [startWorker('rooms-worker.mjs'), startWorker('rooms-worker.mjs')];
    try {
      const second = transport === 'websocket' ? 3 : 4;
      const opts = { base: s.base, wsBase: s.wsBase, transport, concurrency: 5, timeoutMs: 5000, deadlineMs: 180000 };
      const stamp = Date.now().toString(36);
      // warm-up rooms, not counted: latencies of the steady state, not of code being compiled on first use
      await Promise.all(workers.map((w, i) => w.call({ ...opts, prefix: `w${kind[0]}${transport[0]}${i}${stamp}`, rooms: CFG.roomsWarm / 2, second: second + 10 + i * 2 }, 240000)));
      const jit0 = kind === 'webcall' ? await jitSoFar(s.pid) : null;
      const cpu0 = procCpu(s.pid), t0 = performance.now();
      const rs = await Promise.all(workers.map((w, i) => w.call({ ...opts, prefix: `m${kind[0]}${transport[0]}${i}${stamp}`, rooms: CFG.rooms / 2, second: second + i * 2 }, 240000)));
      const cpu1 = procCpu(s.pid), wallMs = performance.now() - t0;
      const jit1 = jit0 && await jitSoFar(s.pid);
      const errors = {};
      rs.forEach(r => Object.entries(r.errors).forEach(([k, v]) => { errors[k] = (errors[k] || 0) + v; }));
      out[transport] = {
        rooms: rs.reduce((a, r) => a + r.rooms, 0), joinMs: summary(rs.flatMap(r => r.joinLat)), leaveMs: summary(rs.flatMap(r => r.leaveLat)),
        errors, generatorCpuPct: rs.map(r => round(100 * r.cpuMs / r.wallMs, 0)),
        serverCpuPct: round(100 * (cpu1.totalMs - cpu0.totalMs) / wallMs, 0),
        // compilation still going on while the measured rooms ran (webcall): methods compiled, ms spent compiling
        ...(jit1 && { serverJit: { compiled: jit1.compiled - jit0.compiled, ms: round(jit1.ms - jit0.ms, 0), wallMs: round(wallMs, 0) } }),
      };
      log(kind, 'rooms', transport, JSON.stringify(out[transport]));
    } finally {
      for (const w of workers) await w.stop();
      await stopServer(s);
    }
  }
  return out;
}

/**
 * Before the timed calls, the same untimed traffic for either server: every page and asset fetched callWarmPages times,
 * and rooms over polling and over WebSocket. Without it a fresh JVM serves the calls from code it has not compiled yet
 * (webcall's server used ~100 ms of CPU per 2-page call cold, 20-50 ms warm), a one-off cost of starting the server
 * that the rooms scenario's warm-up also leaves out.
 */
async function warmForCalls(s) {
  const html = await (await fetch(`${s.base}/warm-up`)).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map(m => m[1]);
  const lane = async () => {
    for (let i = 0; i < CFG.callWarmPages / 2; i++) {
      await (await fetch(`${s.base}/warm-up-${i}`)).text();
      for (const a of assets) await (await fetch(s.base + a)).arrayBuffer();
    }
  };
  await Promise.all([lane(), lane()]);
  const w = startWorker('rooms-worker.mjs');
  try {
    for (const transport of ['polling', 'websocket']) {
      await w.call({ base: s.base, wsBase: s.wsBase, transport, concurrency: 5, timeoutMs: 5000, deadlineMs: 60000,
        prefix: `cw${transport[0]}${Date.now().toString(36)}`, rooms: CFG.callWarmRooms, second: 30 }, 120000);
    }
  } finally { await w.stop(); }
}

async function call(kind, floorBase) {
  const out = {};
  let s = null;
  try {
    if (kind !== 'floor') {
      s = await startServer(kind);
      if (CFG.callWarmPages) await warmForCalls(s);
    }
    for (const n of CFG.callSizes) {
      const runs = [];
      for (let i = 0; i < CFG.callReps; i++) {
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

// ---------------------------------------------------------------- report
function fmt(v, unit = '') { return v === null || v === undefined ? '-' : `${typeof v === 'number' ? (Math.abs(v) >= 100 ? Math.round(v) : round(v, 2)) : v}${unit}`; }
function ratio(a, b) { return a === null || b === null || a === undefined || b === undefined || b === 0 ? null : round(a / b, 2); }

/** The machine is shared: with --quiet L, waits until the 1-minute load average is at most L (10 min at most). */
async function waitQuiet() {
  if (!QUIET) return;
  const until = Date.now() + 600000;
  if (os.loadavg()[0] > QUIET) log('waiting for load', os.loadavg()[0].toFixed(2), '<=', QUIET);
  while (os.loadavg()[0] > QUIET && Date.now() < until) await sleep(5000);
}

async function main() {
  const R = { date: new Date().toISOString(), quick: QUICK, machine: {
    nproc: os.cpus().length, memGiB: round(os.totalmem() / 2 ** 30, 1), kernel: os.release(), node: process.version,
    java: (await run('java', ['-version']).catch(e => e)).stderr?.split('\n')[0], loadavg: os.loadavg().map(x => round(x, 2)),
  }, webcall: {}, node: {}, floor: {} };
  const floorSrv = ONLY.includes('call') ? await startFloorServer() : null;
  try {
    for (const sc of ['startup', 'idle', 'relay', 'rooms', 'call']) {
      if (!ONLY.includes(sc)) continue;
      for (const kind of SERVERS) {
        await waitQuiet();
        log('scenario', sc, 'on', kind, 'load', os.loadavg()[0].toFixed(2));
        const fn = { startup, idle, relay, rooms, call }[sc];
        try { R[kind][sc] = sc === 'call' ? await fn(kind, `http://127.0.0.1:${floorSrv.address().port}/`) : await fn(kind); }
        catch (e) { log(sc, kind, 'FAILED', e.stack || e); R[kind][sc] = { error: String(e.message || e) }; }
        if (sc === 'idle' && kind === 'webcall' && !QUICK) {
          log('scenario idle on webcall with', LEAN_JVM.join(' '));
          try { R.webcall.idleLean = { jvm: LEAN_JVM.join(' '), ...await idle('webcall', LEAN_JVM) }; }
          catch (e) { log('idle lean FAILED', e.stack || e); R.webcall.idleLean = { error: String(e.message || e) }; }
        }
      }
      if (sc === 'call') {
        log('scenario call on floor');
        try { R.floor.call = await call('floor', `http://127.0.0.1:${floorSrv.address().port}/`); } catch (e) { R.floor.call = { error: String(e.message || e) }; }
      }
    }
  } finally { if (floorSrv) floorSrv.close(); }
  R.machine.loadavgAfter = os.loadavg().map(x => round(x, 2));
  fs.writeFileSync(path.join(OUT, QUICK ? 'quick.json' : 'full.json'), JSON.stringify(R, null, 2)); // again below, with targets

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
  info(`relay at a fixed ${CFG.relayFixedRate} msgs/s: delivered (msgs/s)`, ['relay', 'fixed', 'msgsPerSec']);
  info('relay latency p50 at fixed rate (ms)', ['relay', 'fixed', 'latencyMs', 'p50']);
  vsNode('relay latency p99 at fixed rate (ms)', ['relay', 'fixed', 'latencyMs', 'p99']);

  for (const t of ['websocket', 'polling']) {
    const tag = t === 'websocket' ? 'webcall websocket, Node polling' : 'both polling';
    const r = (name, k, p, target) => { const w = g(W, 'rooms', t, k, p), n = g(N, 'rooms', 'polling', k, p); target ? row(name, w, n, '≤ Node', le(w, n)) : row(name, w, n); };
    r(`room join → user-connected p50 (ms, ${tag})`, 'joinMs', 'p50');
    r(`room join → user-connected p99 (ms, ${tag})`, 'joinMs', 'p99', true);
    r(`room leave → user-disconnected p50 (ms, ${tag})`, 'leaveMs', 'p50');
    r(`room leave → user-disconnected p99 (ms, ${tag})`, 'leaveMs', 'p99', true);
  }
  for (const n of CFG.callSizes) {
    const w = g(W, 'call', n, 'medianMs'), nn = g(N, 'call', n, 'medianMs'), f = g(F, 'call', n, 'medianMs');
    row(`call setup, ${n} pages, median (ms)`, w, nn, `≤ floor × 1.1 (floor ${fmt(f)} ms)`, w == null || f == null ? null : w <= f * 1.1);
    row(`  calls that did not come up in 20 s, of ${CFG.callReps}`, g(W, 'call', n, 'timeouts'), g(N, 'call', n, 'timeouts'));
  }
  const head = ['metric', 'webcall', 'node', 'ratio w/n', 'target', 'status'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => String(r[i]).length)));
  const line = r => '| ' + r.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  const table = [line(head), '|' + widths.map(w => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
  R.targets = targets;
  fs.writeFileSync(path.join(OUT, QUICK ? 'quick.json' : 'full.json'), JSON.stringify(R, null, 2));
  fs.writeFileSync(path.join(OUT, QUICK ? 'quick-table.md' : 'full-table.md'), table + '\n');
  console.log(table);
  console.log(JSON.stringify({ date: R.date, quick: QUICK, machine: R.machine, targets }));
}

main().then(() => { killAll(); process.exit(0); }, e => { log('FAILED', e.stack || e); killAll(); process.exit(1); });
