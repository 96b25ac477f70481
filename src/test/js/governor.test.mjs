// The bandwidth governor's arithmetic, run by `node --test` from the Maven test phase (PageScriptsTest).
import assert from 'node:assert/strict';
import test from 'node:test';
import { AUDIO_KBPS, MIN_VIDEO_KBPS, uploadStarved, videoCap } from '../../main/resources/static/assets/governor.js';

test('the budget is shared among the others, after their audio', () => {
  const two = videoCap({ budgetKbps: 2500, members: 1 });
  const three = videoCap({ budgetKbps: 2500, members: 2 });
  assert.equal(two.maxKbps, 2500 - AUDIO_KBPS);
  assert.equal(three.maxKbps, Math.floor((2500 - 2 * AUDIO_KBPS) / 2));
  assert.ok(three.maxKbps < two.maxKbps);
  for (let members = 1; members <= 7; members++) {
    const cap = videoCap({ budgetKbps: 2500, members });
    assert.ok(members * (cap.maxKbps + AUDIO_KBPS) <= 2500 + 1, `${members} members stay within the budget`);
  }
});

test('the resolution steps down with the bitrate', () => {
  assert.equal(videoCap({ budgetKbps: 2500, members: 1 }).scale, 1);
  assert.equal(videoCap({ budgetKbps: 1200, members: 3 }).scale, 2); // 336 kbps each
  assert.equal(videoCap({ budgetKbps: 1200, members: 7 }).scale, 4); // 107 kbps each
});

test('a tiny budget still leaves a usable floor and never takes audio', () => {
  const cap = videoCap({ budgetKbps: 300, members: 7 });
  assert.equal(cap.maxKbps, MIN_VIDEO_KBPS);
});

test('a shared screen keeps its resolution and gets the larger share', () => {
  const screen = videoCap({ budgetKbps: 1200, members: 3, screen: true });
  const camera = videoCap({ budgetKbps: 1200, members: 3, othersShare: true });
  assert.equal(screen.scale, 1);
  assert.equal(screen.screen, true);
  assert.ok(screen.maxFramerate > 0 && screen.maxFramerate <= 15);
  assert.ok(screen.maxKbps > camera.maxKbps, 'cameras give way to the screen');
});

test('starved: far under the cap because of the network, not a still picture', () => {
  const cap = videoCap({ budgetKbps: 2500, members: 1 });
  assert.equal(uploadStarved({ videoSentKbps: 100, limitedBy: 'bandwidth' }, cap), true);
  assert.equal(uploadStarved({ videoSentKbps: 100, limitedBy: 'bandwidth', availableKbps: 300 }, cap), true);
  // Not the network: a still picture, a busy CPU, or a fast path whose estimate is still ramping up.
  assert.equal(uploadStarved({ videoSentKbps: 100, limitedBy: 'none', availableKbps: 300 }, cap), false);
  assert.equal(uploadStarved({ videoSentKbps: 100, limitedBy: 'cpu', availableKbps: 300 }, cap), false);
  assert.equal(uploadStarved({ videoSentKbps: 100, limitedBy: 'bandwidth', availableKbps: 5000 }, cap), false);
  assert.equal(uploadStarved({ videoSentKbps: 2000, limitedBy: 'bandwidth' }, cap), false);
  assert.equal(uploadStarved(null, cap), false);
});
