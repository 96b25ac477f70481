// Two shapes of the Engine.IO protocol suite's upgrade tests, repeated, with Node reading every connection on one
// thread so that it sees what came first. Each run opens a polling session and a probe WebSocket that sends "2probe"
// and "5" at once (as the suite does), then:
//  - second-websocket: opens a second WebSocket for the same sid, which must be refused, and counts the runs where its
//    close came before the probe's "3probe" (the suite then reads "3probe" where it waits for its own echo);
//  - poll-after-upgrade: sends a GET for the sid, which must get 400 (polling is over once "5" was sent), and counts
//    the answers by status.
// Prints one JSON line. Usage: node upgrade-races.cjs <port> <runs> <second-websocket|poll-after-upgrade>
const path = require('node:path');
const WebSocket = require(path.join(__dirname, '..', '..', '..', 'frontend', 'node_modules', 'ws'));

const [port, runs, shape] = process.argv.slice(2);
const deadline = setTimeout(() => report({ error: 'timed out' }), 60000);

function report(result) {
  clearTimeout(deadline);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, resolve));
}

async function probing() {
  const res = await fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`);
  const { sid } = JSON.parse((await res.text()).substring(1));
  const url = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&sid=${sid}`;
  const probe = new WebSocket(url);
  const seen = [];
  probe.on('message', (data) => seen.push(data.toString()));
  await once(probe, 'open');
  probe.send('2probe');
  probe.send('5');
  return { sid, url, probe, seen };
}

(async () => {
  const result = { runs: Number(runs) };
  if (shape === 'second-websocket') {
    result.closeFirst = 0;
    const codes = new Set();
    for (let i = 0; i < result.runs; i++) {
      const { url, probe, seen } = await probing();
      const second = new WebSocket(url);
      second.on('error', () => {});
      codes.add(await once(second, 'close'));
      if (!seen.includes('3probe')) result.closeFirst++;
      probe.close();
    }
    result.codes = [...codes];
  } else {
    result.statuses = {};
    for (let i = 0; i < result.runs; i++) {
      const { sid, probe } = await probing();
      const res = await fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling&sid=${sid}`);
      await res.text();
      result.statuses[res.status] = (result.statuses[res.status] ?? 0) + 1;
      probe.close();
    }
  }
  report(result);
})().catch((e) => report({ error: String(e) }));
