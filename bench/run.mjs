// webcall vs the Node reference, side by side. Usage: bench/run [--quick] (the bash wrapper builds and installs first)
//   node bench/run.mjs --jar target/webcall.jar --ref /path/to/reference-node-copy [--quick]
//     [--only startup,idle,relay,relay-loop,rooms,sio-idle,call,cluster] [--servers webcall,node] [--quiet LOAD] [--out DIR]
// Each scenario is a module in scenarios/; this file parses the options, runs them against each server in turn and
// prints the table of report.mjs, then a final single-line JSON. Every process it started is stopped, also on failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { round, sleep } from './lib/stats.mjs';
import { startFloorServer } from './lib/call.mjs';
import { run, log, killAll } from './lib/procs.mjs';
import { report } from './report.mjs';
import startup from './scenarios/startup.mjs';
import idle, { LEAN_JVM } from './scenarios/idle.mjs';
import relay from './scenarios/relay.mjs';
import rooms from './scenarios/rooms.mjs';
import cluster from './scenarios/cluster.mjs';
import sioIdle from './scenarios/sio-idle.mjs';
import relayLoop from './scenarios/relay-loop.mjs';
import call from './scenarios/call.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const flag = n => argv.includes(n);
const opt = (n, d) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : d; };
const QUICK = flag('--quick');
const SCENARIOS = { startup, idle, relay, 'relay-loop': relayLoop, rooms, 'sio-idle': sioIdle, call, cluster };
const ONLY = opt('--only', Object.keys(SCENARIOS).join(',')).split(',');
const SERVERS = opt('--servers', 'webcall,node').split(',');
const QUIET = Number(opt('--quiet', 0)); // wait (at most 10 min) for the 1-minute load average to fall to this
const env = {
  jar: path.resolve(opt('--jar', path.join(here, '..', 'target', 'webcall.jar'))),
  ref: path.resolve(opt('--ref', '')),
  out: path.resolve(opt('--out', path.join(here, 'results'))),
  javaOpts: (process.env.WEBCALL_JAVA_OPTS || '').split(' ').filter(Boolean),
};
fs.mkdirSync(env.out, { recursive: true });
for (const s of ONLY) if (!SCENARIOS[s]) { log('unknown scenario', s, '; known:', Object.keys(SCENARIOS).join(',')); process.exit(2); }

const cfg = QUICK
  ? { idleSteps: [500, 2000], idleWarm: 300, idleWorkers: 1, relayPairs: 150, relayWorkers: 2, relaySec: 3, relayWarmSec: 3, relayFixedRate: 2000, loopPairs: 100, loopWindow: 4, loopSec: 3, loopWarmSec: 2, rooms: 20, roomsWarm: 10, sioSteps: [200, 1000], sioWarm: 100, sioWorkers: 1, callReps: 1, callSizes: [2], callWarmPages: 0, callWarmRooms: 0, startups: 1, clusterWarmSec: 2, clusterRoomsWarm: 10, clusterIdleSteps: [200, 500] }
  : { idleSteps: [1000, 5000, 10000, 15000, 19990], idleWarm: 500, idleWorkers: 3, relayPairs: 500, relayWorkers: 2, relaySec: 10, relayWarmSec: 15, relayFixedRate: 4000, loopPairs: 100, loopWindow: 4, loopSec: 10, loopWarmSec: 10, rooms: 200, roomsWarm: 2000, sioSteps: [1000, 3000, 5000], sioWarm: 500, sioWorkers: 2, callReps: 3, callSizes: [2, 4], callWarmPages: 100, callWarmRooms: 100, startups: 3, clusterWarmSec: 5, clusterRoomsWarm: 500, clusterIdleSteps: [1000, 3000] };
const ctx = { cfg, env, quick: QUICK };

/** The machine is shared: with --quiet L, waits until the 1-minute load average is at most L (10 min at most). */
async function waitQuiet() {
  if (!QUIET) return;
  const until = Date.now() + 600000;
  if (os.loadavg()[0] > QUIET) log('waiting for load', os.loadavg()[0].toFixed(2), '<=', QUIET);
  while (os.loadavg()[0] > QUIET && Date.now() < until) await sleep(5000);
}

/** The results key of a scenario: sio-idle → sioIdle. */
const key = sc => sc.replace(/-(\w)/g, (_, c) => c.toUpperCase());

async function main() {
  const R = { date: new Date().toISOString(), quick: QUICK, machine: {
    nproc: os.cpus().length, memGiB: round(os.totalmem() / 2 ** 30, 1), kernel: os.release(), node: process.version,
    java: (await run('java', ['-version']).catch(e => e)).stderr?.split('\n')[0], loadavg: os.loadavg().map(x => round(x, 2)),
  }, webcall: {}, node: {}, floor: {} };
  const floorSrv = ONLY.includes('call') ? await startFloorServer() : null;
  const floorBase = floorSrv && `http://127.0.0.1:${floorSrv.address().port}/`;
  try {
    for (const sc of Object.keys(SCENARIOS)) {
      if (!ONLY.includes(sc)) continue;
      for (const kind of SERVERS) {
        await waitQuiet();
        log('scenario', sc, 'on', kind, 'load', os.loadavg()[0].toFixed(2));
        try { R[kind][key(sc)] = await SCENARIOS[sc](kind, { ...ctx, floorBase }); }
        catch (e) { log(sc, kind, 'FAILED', e.stack || e); R[kind][key(sc)] = { error: String(e.message || e) }; }
        if (sc === 'idle' && kind === 'webcall' && !QUICK) {
          log('scenario idle on webcall with', LEAN_JVM.join(' '));
          try { R.webcall.idleLean = { jvm: LEAN_JVM.join(' '), ...await idle('webcall', ctx, LEAN_JVM) }; }
          catch (e) { log('idle lean FAILED', e.stack || e); R.webcall.idleLean = { error: String(e.message || e) }; }
        }
      }
      if (sc === 'call') {
        log('scenario call on floor');
        try { R.floor.call = await call('floor', { ...ctx, floorBase }); } catch (e) { R.floor.call = { error: String(e.message || e) }; }
      }
    }
  } finally { if (floorSrv) floorSrv.close(); }
  R.machine.loadavgAfter = os.loadavg().map(x => round(x, 2));
  const name = QUICK ? 'quick' : 'full';
  fs.writeFileSync(path.join(env.out, `${name}.json`), JSON.stringify(R, null, 2)); // again below, with targets
  const { table, targets } = report(R, cfg);
  R.targets = targets;
  fs.writeFileSync(path.join(env.out, `${name}.json`), JSON.stringify(R, null, 2));
  fs.writeFileSync(path.join(env.out, `${name}-table.md`), table + '\n');
  console.log(table);
  console.log(JSON.stringify({ date: R.date, quick: QUICK, machine: R.machine, targets }));
}

main().then(() => { killAll(); process.exit(0); }, e => { log('FAILED', e.stack || e); killAll(); process.exit(1); });
