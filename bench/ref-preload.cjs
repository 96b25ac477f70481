// Preloaded into the Node reference (node -r) by the benchmark only; the reference's files are not changed.
// 1. Raises the PeerJS server's concurrent_limit (peer's default is 5000, like webcall's) to BENCH_CONCURRENT_LIMIT so
//    the idle scenario can go past 5000 peers on both servers.
// 2. With BENCH_MEM_FILE set (and node --expose-gc): on SIGUSR2, runs a full GC and writes V8's heap statistics to
//    that file, the Node counterpart of `jcmd GC.run` + jstat for the JVM.
const fs = require('fs');
const v8 = require('v8');
const Module = require('module');
const limit = Number(process.env.BENCH_CONCURRENT_LIMIT || 0);
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const m = load.apply(this, arguments);
  if (request === 'peer' && limit > 0 && m && m.ExpressPeerServer && !m.__bench) {
    const orig = m.ExpressPeerServer;
    return { ...m, __bench: true, ExpressPeerServer: (server, options) => orig(server, { ...options, concurrent_limit: limit }) };
  }
  return m;
};
const memFile = process.env.BENCH_MEM_FILE;
if (memFile) {
  // opened now: near 20 000 sockets the process has no file descriptor left to open it later
  const fd = fs.openSync(memFile, 'w');
  process.on('SIGUSR2', () => {
    if (global.gc) { global.gc(); global.gc(); }
    // V8's own figures: process.memoryUsage() reads /proc and needs a descriptor too
    const h = v8.getHeapStatistics();
    fs.writeSync(fd, JSON.stringify({ heapUsed: h.used_heap_size, heapTotal: h.total_heap_size, external: h.external_memory, gc: Boolean(global.gc) }) + '\n', 0);
  });
}
