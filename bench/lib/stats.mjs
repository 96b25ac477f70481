// Small helpers shared by the benchmark processes.
export function pct(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i];
}
export function summary(values) {
  const s = Float64Array.from(values).sort();
  return { n: s.length, p50: round(pct(s, 0.5)), p99: round(pct(s, 0.99)), max: round(s.length ? s[s.length - 1] : null) };
}
export function round(x, d = 2) {
  if (x === null || x === undefined || Number.isNaN(x)) return null;
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
/** Source address number k (0-based) in 127.<second>.0.0/16, never .0 or .255 in the last byte. */
export function srcAddr(second, k) {
  return `127.${second}.${Math.floor(k / 250)}.${1 + (k % 250)}`;
}
export const sleep = ms => new Promise(r => setTimeout(r, ms));
