// Preloaded into the Node reference (node -r) by the benchmark only: raises the PeerJS server's concurrent_limit
// (peer's default is 5000, like webcall's) to BENCH_CONCURRENT_LIMIT so the idle scenario can go past 5000 peers on
// both servers. The reference's files are not changed.
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
