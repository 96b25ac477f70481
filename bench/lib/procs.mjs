// The processes the benchmark starts (servers and load-generator workers), and what it reads of them. Every process
// started here is tracked and killed on any exit of the benchmark.
import { spawn, fork, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { round, sleep } from './stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const run = promisify(execFile);

const started = new Set();
function track(child) { started.add(child); child.on('exit', () => started.delete(child)); return child; }
export function killAll() { for (const c of started) { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } } }
process.on('exit', killAll);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { killAll(); process.exit(130); });

export function log(...a) { process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`); }

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

// The last idle step asks for more than a server process can hold: it may keep at most 20 000 files open (ulimit -n),
// its own jars, pipes and listening socket included, so it stops a few dozen short; where it stops is reported.
export const CONCURRENT_LIMIT = 30000;

/**
 * Starts webcall (`java -jar`) or the Node reference and resolves once it listens. `peerPort`: the reference runs its
 * PeerJS server on a port of its own (as the seed does), so that its Socket.IO can upgrade to WebSocket; webcall has
 * one port for everything either way.
 */
/** The command to start, pinned to the given CPUs with taskset when `cpus` is set (a list such as "0"). */
function pinned(cpus, cmd, args) {
  return cpus ? ['taskset', ['-c', cpus, cmd, ...args]] : [cmd, args];
}

export async function startServer(env, kind, { extraFlags = true, jvm = [], peerPort = false, cpus = null, webcallArgs = [] } = {}) {
  const port = await freePort();
  const ownPeerPort = peerPort && kind !== 'webcall' ? await freePort() : null;
  let child;
  const logFile = fs.openSync(path.join(env.out, `${kind}-server.log`), 'a');
  const memFile = path.join(env.out, `.node-mem-${port}.json`);
  const t0 = performance.now();
  if (kind === 'webcall') {
    // --stun-port 0: the built-in STUN responder runs as by default, on a free UDP port instead of 3478, which another
    // webcall on this machine may hold
    const args = [...env.javaOpts, ...jvm, '-jar', env.jar, '--host', '127.0.0.1', '--port', String(port), '--stun-port', '0'];
    if (extraFlags) args.push('--concurrent_limit', String(CONCURRENT_LIMIT));
    args.push(...webcallArgs);
    child = track(spawn(...pinned(cpus, 'java', args), { stdio: ['ignore', 'pipe', logFile], env: { ...process.env, WEBCALL_LOG_LEVEL: process.env.WEBCALL_LOG_LEVEL || 'WARN' } }));
  } else {
    const args = extraFlags ? ['--expose-gc', '-r', path.join(here, '..', 'ref-preload.cjs'), 'server.js'] : ['server.js'];
    if (ownPeerPort) args.push('--peer-port', String(ownPeerPort), '--concurrent-limit', String(CONCURRENT_LIMIT));
    child = track(spawn(...pinned(cpus, 'node', [...args, '--port', String(port), '--host', '127.0.0.1']), { cwd: env.ref, stdio: ['ignore', 'pipe', logFile], env: { ...process.env, BENCH_CONCURRENT_LIMIT: String(CONCURRENT_LIMIT), BENCH_MEM_FILE: memFile } }));
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
  const wsBase = ownPeerPort ? `ws://127.0.0.1:${ownPeerPort}/peerjs/peerjs` : `ws://127.0.0.1:${port}/peerjs/peerjs`;
  return { kind, child, pid: child.pid, port, base, wsBase, startupMs, memFile };
}

export async function stopServer(s) {
  if (!s || s.child.exitCode !== null) return;
  const exited = new Promise(r => s.child.once('exit', r));
  try { process.kill(s.pid, 'SIGTERM'); } catch { return; }
  const t = setTimeout(() => { try { process.kill(s.pid, 'SIGKILL'); } catch { /* gone */ } }, 10000);
  await exited;
  clearTimeout(t);
  fs.rmSync(s.memFile, { force: true });
}

/** Debian's redis-server on a free port, nothing saved to disk, for the cluster scenario; `info(section)` reads INFO. */
export async function startRedis(env) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(env.out, '.redis-'));
  const child = track(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'inherit'] }));
  await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('redis-server did not start in 10 s')), 10000);
    child.stdout.on('data', d => { buf += d; if (buf.includes('Ready to accept connections')) { clearTimeout(timer); resolve(); } });
    child.on('exit', code => { clearTimeout(timer); reject(new Error(`redis-server exited with ${code}`)); });
  });
  child.stdout.resume();
  const info = async section => {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'info', section]);
    return Object.fromEntries(stdout.split('\n').filter(l => l.includes(':')).map(l => l.trim().split(':')).map(([k, v]) => [k, Number.isNaN(Number(v)) ? v : Number(v)]));
  };
  const stop = async () => {
    if (child.exitCode === null) { const e = new Promise(r => child.once('exit', r)); child.kill('SIGTERM'); await e; }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { pid: child.pid, port, url: `redis://127.0.0.1:${port}`, info, stop };
}

export function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : null;
}
/** CPU time (user, kernel) in ms and write-class syscalls so far (/proc/PID/stat and /proc/PID/io). */
export function procCpu(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const io = Object.fromEntries(fs.readFileSync(`/proc/${pid}/io`, 'utf8').trim().split('\n').map(l => l.split(': ')).map(([k, v]) => [k, Number(v)]));
  const userMs = Number(f[11]) * 10, sysMs = Number(f[12]) * 10; // clock ticks of 1/100 s
  return { userMs, sysMs, totalMs: userMs + sysMs, writes: io.syscw };
}
export function fdInfo(pid) {
  const open = fs.readdirSync(`/proc/${pid}/fd`).length;
  const m = /Max open files\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return { open, limit: m ? Number(m[1]) : null };
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
export async function jitSoFar(pid) {
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
export async function afterGc(s) {
  const heapKb = s.kind === 'webcall' ? await heapAfterGcKb(s.pid) : await nodeHeapAfterGcKb(s);
  await sleep(500);
  return { heapKb: round(heapKb, 0), rssAfterGcKb: rssKb(s.pid) };
}
export async function histogram(pid) {
  const { stdout } = await run('jcmd', [String(pid), 'GC.class_histogram'], { maxBuffer: 64 << 20 });
  const m = new Map();
  for (const line of stdout.split('\n')) {
    const r = /^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)/.exec(line);
    if (r) m.set(r[3], { n: Number(r[1]), bytes: Number(r[2]) });
  }
  return m;
}
/** Least squares slope of kb over n: KB per connection. */
export function slope(points) {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((a, p) => a + p.n, 0) / n, my = points.reduce((a, p) => a + p.kb, 0) / n;
  const num = points.reduce((a, p) => a + (p.n - mx) * (p.kb - my), 0), den = points.reduce((a, p) => a + (p.n - mx) ** 2, 0);
  return num / den;
}

/** Forks a load-generator process from lib/; `w.call(msg)` sends a command over IPC and resolves with its result. */
export function startWorker(file, { cpus = null } = {}) {
  // pinned: taskset runs node (fork passes execArgv, then the module), which keeps the IPC channel it inherits
  const pin = cpus ? { execPath: 'taskset', execArgv: ['-c', cpus, process.execPath] } : {};
  const w = track(fork(path.join(here, file), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...pin }));
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
