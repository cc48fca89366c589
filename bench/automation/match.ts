// Events/s through EventBridge pattern matching with 1,000 rules (PatternIndex, as automation
// rules use it). Run: npx tsx bench/automation/match.ts
import { compileEventPattern, PatternIndex, toEnvelope } from '../../src/events/index.js';

const RULES = 1000;
const EVENTS = 200_000;
const sources = Array.from({ length: 50 }, (_, i) => `app.service${i}`);
const idx = new PatternIndex<number>();
for (let i = 0; i < RULES; i++) {
  const p =
    i % 10 === 0
      ? { detail: { severity: [{ 'equals-ignore-case': 'critical' }], host: [{ prefix: `web-${i % 7}` }] } }
      : { source: [sources[i % sources.length]], 'detail-type': [{ prefix: 'Disk' }], detail: { usage: [{ numeric: ['>=', 50 + (i % 50)] }], mount: [{ 'anything-but': ['/boot'] }], ip: [{ cidr: '10.0.0.0/8' }] } };
  idx.set(`r${i}`, compileEventPattern(p), i);
}
const envs = Array.from({ length: 1000 }, (_, i) =>
  toEnvelope({ id: `e${i}`, tenant: 'default', time: Date.now(), source: sources[i % sources.length]!, detailType: i % 3 === 0 ? 'Disk Full' : 'CPU High', resources: [], detail: { usage: i % 100, mount: '/var', ip: `10.1.${i % 255}.7`, severity: i % 5 === 0 ? 'CRITICAL' : 'low', host: `web-${i % 9}` } }),
);
let matched = 0;
for (let i = 0; i < 20_000; i++) matched += idx.match(envs[i % envs.length]!).length; // warm-up
matched = 0;
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
for (let i = 0; i < EVENTS; i++) matched += idx.match(envs[i % envs.length]!).length;
const s = Number(process.hrtime.bigint() - t0) / 1e9;
// CPU time of this process: on a shared machine wall time measures the neighbours too, while
// events per CPU-second is what the matcher does with one core it has to itself.
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
console.log(JSON.stringify({ rules: RULES, events: EVENTS, seconds: +s.toFixed(3), eventsPerSecond: Math.round(EVENTS / s), cpuSeconds: +cpuS.toFixed(3), eventsPerCpuSecond: Math.round(EVENTS / cpuS), matchesPerEvent: +(matched / EVENTS).toFixed(2) }));
