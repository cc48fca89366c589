/**
 * Chunk decoding cost in CPU ns per sample (CPU time: the machine is shared), for a regular
 * counter, a counter with timestamp jitter and a float gauge; allocating (decodeChunk) and
 * into reused arrays (decodeChunkInto, as queries read). Not part of `npm test`.
 *
 *   npx tsx bench/promql/decode-micro.ts
 */
import { decodeChunk, encodeChunk } from '../../src/store/metrics/embedded/chunk.js';
const N = 480;
const mk = (f: (i: number) => number, jitter: boolean) => {
  const t = new Float64Array(N), v = new Float64Array(N);
  for (let i = 0; i < N; i++) { t[i] = 1.7e12 + i * 15000 + (jitter ? (i * 7919) % 5 : 0); v[i] = f(i); }
  return encodeChunk(t, v, 0, N);
};
const cases = {
  counterRegular: mk((i) => i * 3, false),
  counterJitter: mk((i) => Math.floor(i * 3.7), true),
  gaugeFloat: mk((i) => Math.sin(i) * 100, false),
};
for (const [name, c] of Object.entries(cases)) {
  for (let w = 0; w < 2000; w++) decodeChunk(c);
  const R = 20000;
  const c0 = process.cpuUsage();
  for (let r = 0; r < R; r++) decodeChunk(c);
  const cu = process.cpuUsage(c0); const ms = (cu.user + cu.system) / 1000;
  console.log(name, c.length, 'bytes', ((ms * 1e6) / (R * N)).toFixed(1), 'ns/sample');
}
import { decodeChunkInto } from '../../src/store/metrics/embedded/chunk.js';
{
  const t = new Float64Array(N), v = new Float64Array(N), b = new Uint32Array(v.buffer);
  for (const [name, c] of Object.entries(cases)) {
    for (let w = 0; w < 2000; w++) decodeChunkInto(c, t, v, b, 0);
    const R = 20000;
    const c0 = process.cpuUsage();
    for (let r = 0; r < R; r++) decodeChunkInto(c, t, v, b, 0);
    const cu = process.cpuUsage(c0); const ms = (cu.user + cu.system) / 1000;
    console.log('into', name, ((ms * 1e6) / (R * N)).toFixed(1), 'ns/sample');
  }
}
