// ice.js: when a call reuses the ICE servers fetched before and when it asks the server again.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';

let requests = 0;
let now = 1_000_000;
globalThis.location = { hostname: 'calls.example' };
globalThis.fetch = async () => {
  requests += 1;
  return {
    ok: true,
    json: async () => ({ stunPort: 3478, ttl: 3600, iceServers: [{ urls: 'turn:t', username: 'u', credential: `c${requests}` }] }),
  };
};
Date.now = () => now;
const { iceConfig } = await import('../../main/resources/static/assets/ice.js');

beforeEach(() => { now += 4 * 3600 * 1000; }); // every test starts with expired credentials

test('a call soon after the lobby fetched the servers reuses them', async () => {
  await iceConfig();
  const before = requests;
  now += 5 * 60 * 1000; // 5 minutes of an hour: 90 % of the credentials' life is left
  const config = await iceConfig({ fresh: true });
  assert.equal(requests, before);
  assert.equal(config.iceServers[0].urls, 'stun:calls.example:3478');
});

test('a call with less than 90 % of the credentials life left gets new ones', async () => {
  await iceConfig();
  const before = requests;
  now += 7 * 60 * 1000;
  const config = await iceConfig({ fresh: true });
  assert.equal(requests, before + 1);
  assert.equal(config.iceServers[1].credential, `c${requests}`);
});

test('without fresh, half of the life left is enough', async () => {
  await iceConfig();
  const before = requests;
  now += 29 * 60 * 1000;
  await iceConfig();
  assert.equal(requests, before);
  now += 2 * 60 * 1000;
  await iceConfig();
  assert.equal(requests, before + 1);
});
