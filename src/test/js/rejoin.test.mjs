// The page's answer to a join refused with 'draining' (rejoin.js), run by `node --test` from the Maven test phase.
import assert from 'node:assert/strict';
import test from 'node:test';
import { REJOIN, rejoinDelay, retryable } from '../../main/resources/static/assets/rejoin.js';

test('only a draining or unavailable refusal is retried by itself', () => {
  assert.equal(retryable({ ok: false, error: 'draining', message: 'The server is shutting down' }), true);
  assert.equal(retryable({ ok: false, error: 'unavailable', message: 'The service is degraded' }), true);
  for (const error of ['room-full', 'bad-room', 'bad-user', 'user-in-other-room', 'bad-profile', 'already-joined']) {
    assert.equal(retryable({ ok: false, error }), false, error);
  }
  assert.equal(retryable({ ok: true }), false);
  assert.equal(retryable(undefined), false); // no answer (a timeout) is not a drain
  assert.equal(retryable(null), false);
});

test('the wait doubles from a couple of seconds up to its cap', () => {
  const middle = () => 0.5; // no jitter
  assert.equal(rejoinDelay(0, middle), REJOIN.firstMs);
  assert.equal(rejoinDelay(1, middle), 2 * REJOIN.firstMs);
  assert.equal(rejoinDelay(2, middle), 4 * REJOIN.firstMs);
  for (let i = 0; i < REJOIN.attempts; i++) {
    assert.ok(rejoinDelay(i, middle) <= REJOIN.maxMs, `try ${i} within the cap`);
    assert.ok(rejoinDelay(i, middle) >= rejoinDelay(Math.max(0, i - 1), middle), `try ${i} waits no less`);
  }
});

test('the jitter stays within a quarter either way', () => {
  assert.equal(rejoinDelay(0, () => 0), 0.75 * REJOIN.firstMs);
  assert.equal(rejoinDelay(0, () => 1), 1.25 * REJOIN.firstMs);
  for (let i = 0; i < 200; i++) {
    const d = rejoinDelay(3);
    const base = Math.min(REJOIN.maxMs, REJOIN.firstMs * 8);
    assert.ok(d >= 0.75 * base && d <= 1.25 * base, `${d} around ${base}`);
  }
});

test('it gives up after a bounded number of tries, well within a few minutes', () => {
  assert.equal(rejoinDelay(REJOIN.attempts), null);
  assert.equal(rejoinDelay(-1), null);
  assert.equal(rejoinDelay(1.5), null);
  let total = 0;
  for (let i = 0; rejoinDelay(i, () => 1) !== null; i++) total += rejoinDelay(i, () => 1);
  assert.ok(total > 60_000 && total < 180_000, `${total} ms in all`);
});
