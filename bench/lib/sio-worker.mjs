// A load-generator process (forked by run.mjs) for the idle Socket.IO scenario: holds Socket.IO connections to the
// default namespace, as a page that sits in a call does between events. Commands over IPC; every loop is bounded by a
// count and a deadline.
import { io } from 'socket.io-client';
import { performance } from 'node:perf_hooks';
import { srcAddr } from './stats.mjs';

const PER_IP = 100; // spread over source addresses, below webcall's cap of TCP connections per address
const held = [];

function connect(base, transport, localAddress, timeoutMs) {
  return new Promise(resolve => {
    const t0 = performance.now();
    const sock = io(base, { transports: [transport], forceNew: true, reconnection: false, localAddress, timeout: timeoutMs });
    const timer = setTimeout(() => { sock.close(); resolve({ error: 'timeout' }); }, timeoutMs);
    sock.once('connect', () => { clearTimeout(timer); resolve({ sock, ms: performance.now() - t0 }); });
    sock.once('connect_error', e => { clearTimeout(timer); sock.close(); resolve({ error: String(e && e.message).slice(0, 40) }); });
  });
}

async function open({ base, transport, from, to, second, concurrency, timeoutMs, deadlineMs }) {
  const times = [], errors = {};
  const deadline = Date.now() + deadlineMs;
  let next = from;
  async function lane() {
    while (next < to && Date.now() < deadline) {
      const k = next++;
      const r = await connect(base, transport, srcAddr(second, Math.floor(k / PER_IP)), timeoutMs);
      if (r.error) errors[r.error] = (errors[r.error] || 0) + 1;
      else {
        times.push(r.ms);
        held.push(r.sock);
        r.sock.on('disconnect', reason => { errors['disconnect:' + reason] = (errors['disconnect:' + reason] || 0) + 1; });
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { opened: times.length, errors, times: times.map(t => Math.round(t * 100) / 100), held: held.length };
}

process.on('message', async msg => {
  try {
    let result;
    if (msg.cmd === 'open') result = await open(msg);
    else if (msg.cmd === 'count') result = { open: held.filter(s => s.connected).length, held: held.length };
    else if (msg.cmd === 'close-all') { for (const s of held.splice(0)) s.close(); result = { ok: true }; }
    else if (msg.cmd === 'exit') { for (const s of held.splice(0)) s.close(); process.send({ id: msg.id, result: { ok: true } }, () => process.exit(0)); return; }
    else throw new Error('unknown command ' + msg.cmd);
    process.send({ id: msg.id, result });
  } catch (e) {
    process.send({ id: msg.id, error: String(e && e.stack || e) });
  }
});
process.on('disconnect', () => process.exit(0));
