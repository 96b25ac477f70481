// The connection-quality classifier and the figures it is given, on getStats() reports in Chromium's shape
// (trimmed to the fields used). Run by `node --test` from the Maven test phase (NodeTestsTest).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { classify, sampleBetween } from '../../main/resources/static/assets/quality.js';

const recorded = JSON.parse(readFileSync(new URL('./stats-reports.json', import.meta.url), 'utf8'));

test('good: a loopback call', () => {
  assert.equal(classify({ rttMs: 1, lossPct: 0, jitterMs: 2, kbps: 900, videoExpected: true }), 'good');
});

test('fair: a long round trip, a few percent lost, or jitter the buffer must absorb', () => {
  assert.equal(classify({ rttMs: 350, lossPct: 0, jitterMs: 5 }), 'fair');
  assert.equal(classify({ rttMs: 40, lossPct: 4, jitterMs: 5 }), 'fair');
  assert.equal(classify({ rttMs: 40, lossPct: 0, jitterMs: 45 }), 'fair');
  assert.equal(classify({ rttMs: 40, lossPct: 0, jitterMs: 5, kbps: 10, videoExpected: true }), 'fair');
});

test('poor: any one figure far out is enough', () => {
  assert.equal(classify({ rttMs: 800, lossPct: 0, jitterMs: 5 }), 'poor');
  assert.equal(classify({ rttMs: 40, lossPct: 15, jitterMs: 5 }), 'poor');
  assert.equal(classify({ rttMs: 40, lossPct: 0, jitterMs: 150 }), 'poor');
  assert.equal(classify({ rttMs: 800, lossPct: 4, jitterMs: 5 }), 'poor');
});

test('the limits are where the grade changes', () => {
  assert.equal(classify({ rttMs: 299 }), 'good');
  assert.equal(classify({ rttMs: 300 }), 'fair');
  assert.equal(classify({ lossPct: 9.9 }), 'fair');
  assert.equal(classify({ lossPct: 10 }), 'poor');
});

test('no figures yet: no grade', () => {
  assert.equal(classify(null), null);
  assert.equal(classify({ rttMs: null, lossPct: null, jitterMs: null }), null);
  // A camera that is off sends little on purpose: no penalty without videoExpected.
  assert.equal(classify({ rttMs: 10, kbps: 5 }), 'good');
});

test('figures from two reports of a loopback call', () => {
  const s = sampleBetween(recorded.loopback.before, recorded.loopback.after);
  assert.ok(s.rttMs >= 0 && s.rttMs < 20, `rtt ${s.rttMs}`);
  assert.equal(s.lossPct, 0);
  assert.ok(s.jitterMs < 30, `jitter ${s.jitterMs}`);
  assert.ok(s.kbps > 100, `kbps ${s.kbps}`);
  assert.ok(s.videoSentKbps > 0 && s.videoSentKbps <= s.sentKbps);
  assert.equal(classify(s), 'good');
});

test('figures from two reports of a lossy, slow link', () => {
  const s = sampleBetween(recorded.lossy.before, recorded.lossy.after);
  assert.ok(s.lossPct > 10, `loss ${s.lossPct}`);
  assert.ok(s.rttMs > 300, `rtt ${s.rttMs}`);
  assert.equal(classify(s), 'poor');
});

test('the first report alone gives a round trip and jitter but no rates', () => {
  const s = sampleBetween(null, recorded.loopback.after);
  assert.equal(s.kbps, null);
  assert.equal(s.lossPct, null);
  assert.ok(Number.isFinite(s.rttMs));
});

test("jitter is the audio's, which people hear, when there is audio", () => {
  const at = (t, audio, video) => [
    { id: 'A', type: 'inbound-rtp', kind: 'audio', timestamp: t, packetsReceived: 50 * t, packetsLost: 0, bytesReceived: 4000 * t, jitter: audio },
    { id: 'V', type: 'inbound-rtp', kind: 'video', timestamp: t, packetsReceived: 90 * t, packetsLost: 0, bytesReceived: 90000 * t, jitter: video },
  ];
  assert.equal(sampleBetween(at(1000, 0.004, 0.09), at(3000, 0.005, 0.2)).jitterMs, 5);
  assert.equal(sampleBetween(null, at(3000, undefined, 0.02).slice(1)).jitterMs, 20);
});
