// The official socket.io-client 4.8.4 (the one the jar serves) in Node against a running webcall: two members join a
// room over one transport setting, see each other arrive and leave, and report what they saw as one JSON line.
// Usage: node rooms-client.cjs <port> <polling|websocket|default>
const path = require('node:path');
const modules = path.join(__dirname, '..', '..', '..', 'frontend', 'node_modules');
const { io } = require(path.join(modules, 'socket.io-client'));
const WebSocket = require(path.join(modules, 'ws'));

const [port, mode] = process.argv.slice(2);
const base = `http://127.0.0.1:${port}`;
const transports = { polling: ['polling'], websocket: ['websocket'], default: undefined }[mode];
const suffix = `${mode}${process.pid}`;
const deadline = setTimeout(() => { report({ error: 'timed out' }); }, 20000);

function report(result) {
  clearTimeout(deadline);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

function openPeer(id, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/peerjs/peerjs?key=peerjs&id=${id}&token=${token}`,
      { headers: { Origin: base } });
    ws.once('message', (data) => (String(data).includes('"OPEN"') ? resolve(ws) : reject(new Error(String(data)))));
    ws.once('error', reject);
  });
}

function connect() {
  const socket = io(base, { transports, forceNew: true, reconnection: false, extraHeaders: { Origin: base } });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function join(socket, id, token) {
  return new Promise((resolve) => socket.emit('join-room', `compat-${suffix}`, id, { token, name: id }, resolve));
}

(async () => {
  const a = { id: `a${suffix}`, token: 'tokA1' };
  const b = { id: `b${suffix}`, token: 'tokB1' };
  const peers = [await openPeer(a.id, a.token), await openPeer(b.id, b.token)];
  const sa = await connect();
  const sb = await connect();
  const seen = [];
  sa.on('user-connected', (id, profile) => seen.push(['user-connected', id, profile?.name]));
  sa.on('user-disconnected', (id) => seen.push(['user-disconnected', id]));
  const ackA = await join(sa, a.id, a.token);
  const ackB = await join(sb, b.id, b.token);
  const again = await join(sb, b.id, b.token);
  // Leave time for a default client to upgrade from polling, then see what it runs on.
  await new Promise((r) => setTimeout(r, 1500));
  const transport = sb.io.engine.transport.name;
  sb.disconnect();
  await new Promise((r) => setTimeout(r, 1500));
  sa.disconnect();
  peers.forEach((p) => p.close());
  await new Promise((r) => setTimeout(r, 300)); // over polling the goodbye is a request still to send
  report({ a: a.id, b: b.id, ackA, ackB, again, transport, seen });
})().catch((e) => report({ error: String(e) }));
