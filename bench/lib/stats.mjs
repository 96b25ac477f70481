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

// Latency histograms with 1% wide buckets from 0.01 ms: a relay phase records millions of latencies, which are merged
// across processes without shipping every value.
const H_MIN = 0.01, H_STEP = Math.log(1.01);
export function histAdd(h, ms) {
  const i = ms <= H_MIN ? 0 : Math.ceil(Math.log(ms / H_MIN) / H_STEP);
  h[i] = (h[i] || 0) + 1;
}
/** Merges histograms ({bucket: count}) and summarises them like summary(); values are bucket upper bounds. */
export function histSummary(hists) {
  const m = new Map();
  for (const h of hists) for (const [k, v] of Object.entries(h)) m.set(Number(k), (m.get(Number(k)) || 0) + v);
  const keys = [...m.keys()].sort((a, b) => a - b);
  const n = keys.reduce((a, k) => a + m.get(k), 0);
  const at = p => {
    if (!n) return null;
    const want = Math.max(1, Math.ceil(p * n));
    let seen = 0;
    for (const k of keys) { seen += m.get(k); if (seen >= want) return round(H_MIN * Math.exp(k * H_STEP)); }
    return null;
  };
  return { n, p50: at(0.5), p99: at(0.99), max: at(1) };
}
