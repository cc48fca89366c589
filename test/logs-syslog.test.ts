import { execFile } from 'node:child_process';
import net from 'node:net';
import { hostname } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyslogListener } from '../src/api/syslog/index.js';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

const run = promisify(execFile);
let ts: TestServer;
let syslog: SyslogListener;

beforeAll(async () => {
  ts = await startTestServer({ config: { logs: { syslog_tcp_listen: '127.0.0.1:0', syslog_udp_listen: '127.0.0.1:0' } } });
  syslog = (ts.server.modules.find((m) => m.name === 'logs') as unknown as { syslog: SyslogListener }).syslog;
});
afterAll(async () => {
  await ts?.stop();
});

/** The real util-linux `logger`, as a host would send. */
async function logger(args: string[]): Promise<void> {
  await run('logger', ['--server', '127.0.0.1', ...args]);
}

interface Entry {
  labels: Record<string, string>;
  ts: bigint;
  line: string;
}

async function entries(selector: string, n: number): Promise<Entry[]> {
  return waitFor(async () => {
    const end = BigInt(Date.now() + 60_000) * 1_000_000n;
    const res = await ts.fetch(`/loki/api/v1/query_range?query=${encodeURIComponent(selector)}&start=${end - 3_600_000_000_000n}&end=${end}`);
    const body = (await res.json()) as { data: { result: Array<{ stream: Record<string, string>; values: Array<[string, string]> }> } };
    const out = body.data.result.flatMap((s) => s.values.map((v) => ({ labels: s.stream, ts: BigInt(v[0]), line: v[1] })));
    return out.length >= n ? out : undefined;
  }, `${n} syslog entries for ${selector}`, 15_000);
}

const host = hostname().split('.')[0]!;

describe('syslog in, from util-linux logger', () => {
  it('RFC 5424 over TCP (newline framing and octet counting), with structured data', async () => {
    const before = BigInt(Date.now() - 5000) * 1_000_000n;
    await logger(['--port', String(syslog.tcpPort), '--tcp', '--rfc5424', '-t', 'checkout', '-p', 'local0.err', '--msgid', 'ORD1', '--sd-id', 'order@32473', '--sd-param', 'id="42"', 'payment declined']);
    await logger(['--port', String(syslog.tcpPort), '--tcp', '--octet-count', '--rfc5424', '-t', 'checkout', '-p', 'local0.info', 'octet counted']);
    const got = await entries('{job="syslog", service_name="checkout"}', 2);
    const declined = got.find((e) => e.line === 'payment declined')!;
    expect(declined.labels).toMatchObject({ job: 'syslog', service_name: 'checkout', host, facility: 'local0', severity: 'err', detected_level: 'error', msgid: 'ORD1', order_32473_id: '42' });
    expect(declined.ts).toBeGreaterThan(before);
    expect(got.find((e) => e.line === 'octet counted')!.labels).toMatchObject({ severity: 'info', detected_level: 'info' });
  });

  it('RFC 3164 over TCP, and both formats over UDP', async () => {
    await logger(['--port', String(syslog.tcpPort), '--tcp', '--rfc3164', '-t', 'oldapp', '-p', 'auth.warning', 'bsd over tcp']);
    await logger(['--port', String(syslog.udpPort), '--udp', '--rfc5424', '-t', 'udpapp', '-i', 'udp 5424']);
    await logger(['--port', String(syslog.udpPort), '--udp', '--rfc3164', '-t', 'udpbsd', '-p', 'daemon.debug', 'udp bsd']);
    const old = await entries('{service_name="oldapp"}', 1);
    expect(old[0]).toMatchObject({ line: 'bsd over tcp', labels: { host, facility: 'auth', severity: 'warning', detected_level: 'warn' } });
    // RFC 3164 times have no year or zone and only seconds: within a few seconds of now.
    expect(Math.abs(Number(old[0]!.ts / 1_000_000n) - Date.now())).toBeLessThan(60_000);
    const udp = await entries('{service_name="udpapp"}', 1);
    expect(udp[0]!.line).toBe('udp 5424');
    expect(udp[0]!.labels.procid).toMatch(/^\d+$/);
    const bsd = await entries('{service_name="udpbsd"}', 1);
    expect(bsd[0]).toMatchObject({ line: 'udp bsd', labels: { facility: 'daemon', severity: 'debug', detected_level: 'debug' } });
  });

  it('counts unreadable messages, closes a connection with a bad frame, and keeps serving', async () => {
    const invalid = syslog.counts.invalid;
    const send = (data: string): Promise<void> =>
      new Promise((resolve) => {
        const s = net.connect(syslog.tcpPort, '127.0.0.1', () => s.end(data));
        s.on('close', () => resolve());
        s.on('error', () => resolve());
      });
    await send('<999>1 - - - - - - out of range\n');
    await send('99999999 <13>1 - - - - - - way too long\n');
    await waitFor(() => (syslog.counts.invalid >= invalid + 2 ? true : undefined), 'invalid counts', 10_000);
    await logger(['--port', String(syslog.tcpPort), '--tcp', '--rfc5424', '-t', 'after-garbage', 'still here']);
    expect((await entries('{service_name="after-garbage"}', 1))[0]!.line).toBe('still here');
  });
});
