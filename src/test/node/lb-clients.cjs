// Official socket.io-client 4.8.4 (the one the jar serves) in Node, N clients at once through a load balancer:
// each connects, holds its session for a while (pings go back and forth), and the run reports as one JSON line how
// many connected and how many lost their session. With cookies on (withCredentials: the client keeps a cookie jar,
// as a browser does), HAProxy's cookie brings every poll back to the node that opened the session.
// Usage: node lb-clients.cjs <port> <clients> <polling|websocket> <cookies|no-cookies> <holdMs>
const path = require('node:path');
const modules = path.join(__dirname, '..', '..', '..', 'frontend', 'node_modules');
const { io } = require(path.join(modules, 'socket.io-client'));

const [port, clients, transport, cookies, holdMs] = process.argv.slice(2);
const counts = { connected: 0, connectErrors: 0, disconnects: 0 };
const sockets = [];
const deadline = setTimeout(() => finish('timed out'), Number(holdMs) + 20000);

function finish(error) {
  clearTimeout(deadline);
  const result = JSON.stringify(error ? { ...counts, error } : counts); // before our own closes count
  for (const s of sockets) s.close();
  process.stdout.write(`${result}\n`);
  process.exit(0);
}

const connecting = Array.from({ length: Number(clients) }, () => new Promise((resolve) => {
  const s = io(`http://127.0.0.1:${port}`, {
    transports: [transport], forceNew: true, reconnection: false, timeout: 5000,
    withCredentials: cookies === 'cookies',
  });
  sockets.push(s);
  s.once('connect', () => { counts.connected++; resolve(); });
  s.once('connect_error', () => { counts.connectErrors++; resolve(); });
  s.on('disconnect', () => { counts.disconnects++; });
}));

Promise.all(connecting).then(() => setTimeout(() => finish(), Number(holdMs)));
