// Joining again after the server refused with 'draining': it is about to stop (an upgrade, a restart) and lets the
// calls in progress finish, so the page waits a little and asks again, by then most likely of another server or the
// restarted one. The same for 'unavailable': a cluster's shared store (Redis) does not answer for a moment. Bounded: after REJOIN.attempts tries it gives up and says so. Pure, tested under `node --test`.

/** The first wait, the longest one, and how many tries in all (about 2 minutes with the waits below). */
export const REJOIN = Object.freeze({ firstMs: 2000, maxMs: 20000, attempts: 8 });

/** Whether a refused join-room is one the page retries by itself. */
export function retryable(reply) {
  return reply?.ok === false && (reply.error === 'draining' || reply.error === 'unavailable');
}

/**
 * How long to wait before try number `attempt` (0 for the first retry): doubling from firstMs up to maxMs, give or take
 * a quarter so that a room's members do not all come back in the same instant; null once the tries are used up.
 */
export function rejoinDelay(attempt, random = Math.random, plan = REJOIN) {
  if (!Number.isInteger(attempt) || attempt < 0 || attempt >= plan.attempts) return null;
  const base = Math.min(plan.maxMs, plan.firstMs * 2 ** attempt);
  return Math.round(base * (0.75 + 0.5 * random()));
}
