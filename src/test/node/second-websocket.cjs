// A second WebSocket for a sid that is upgrading, in the order the Engine.IO protocol suite opens it: the probe sends
// "2probe" and "5", then a second socket opens for the same sid and is refused. Node reads both sockets on one thread, so
// it sees which came first: the probe's "3probe" or the second socket's close. Repeats the upgrade and reports as one
// JSON line how often the close came first (the suite then reads "3probe" where it waits for its own echo).
// Usage: node second-websocket.cjs <port> <runs>
const path = require('node:path');
const WebSocket = require(path.join(__dirname, '..', '..', '..', 'frontend', 'node_modules', 'ws'));

const [port, runs] = process.argv.slice(2);
const deadline = setTimeout(() => report({ error: 'timed out' }), 60000);

function report(result) {
  clearTimeout(deadline);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, resolve));
}

(async () => {
  let closeFirst = 0;
  const codes = new Set();
  for (let i = 0; i < Number(runs); i++) {
    const res = await fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`);
    const { sid } = JSON.parse((await res.text()).substring(1));
    const url = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&sid=${sid}`;
    const probe = new WebSocket(url);
    const seen = [];
    probe.on('message', (data) => seen.push(data.toString()));
    await once(probe, 'open');
    probe.send('2probe');
    probe.send('5');
    const second = new WebSocket(url);
    second.on('error', () => {});
    codes.add(await once(second, 'close'));
    if (!seen.includes('3probe')) closeFirst++;
    probe.close();
  }
  report({ runs: Number(runs), closeFirst, codes: [...codes] });
})().catch((e) => report({ error: String(e) }));
