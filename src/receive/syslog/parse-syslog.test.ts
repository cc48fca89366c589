import { describe, expect, it } from 'vitest';
import { parseSyslog } from './parse-syslog.js';
import { syslogToEntry } from './syslog-message.js';
import { SyslogTcpFramer } from './tcp-framing.js';

const NOW = Date.UTC(2024, 0, 10, 12, 0, 0);

describe('syslog parsing', () => {
  it('reads RFC 5424 with structured data escapes, a BOM and nil values', () => {
    const m = parseSyslog('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Appli\\"cation"][x@1 a="b\\]c"] \uFEFFAn application event', NOW);
    expect(m).toMatchObject({ facility: 20, severity: 5, hostname: 'mymachine.example.com', appName: 'evntslog', procId: '', msgId: 'ID47', message: 'An application event' });
    expect(m.tsNs).toBe(BigInt(Date.UTC(2003, 9, 11, 22, 14, 15, 3)) * 1_000_000n);
    expect(m.structuredData).toEqual([
      { id: 'exampleSDID@32473', params: [['iut', '3'], ['eventSource', 'Appli"cation']] },
      { id: 'x@1', params: [['a', 'b]c']] },
    ]);
    const { labels, entry } = syslogToEntry(m, 0n, true);
    expect(labels).toEqual([{ name: 'host', value: 'mymachine.example.com' }, { name: 'job', value: 'syslog' }, { name: 'service_name', value: 'evntslog' }]);
    expect(Object.fromEntries(entry.metadata.map((l) => [l.name, l.value]))).toEqual({ detected_level: 'info', exampleSDID_32473_eventSource: 'Appli"cation', exampleSDID_32473_iut: '3', facility: 'local4', msgid: 'ID47', severity: 'notice', x_1_a: 'b]c' });
    const nil = parseSyslog('<14>1 - - - - - -', NOW);
    expect(nil).toMatchObject({ tsNs: undefined, hostname: '', appName: '', message: '' });
    expect(parseSyslog('<14>1 2024-01-10T12:00:00.5+02:00 h a 1 - - x', NOW).tsNs).toBe(BigInt(Date.UTC(2024, 0, 10, 10, 0, 0, 500)) * 1_000_000n);
  });

  it('reads RFC 3164 with or without a host, a pid, and the year of a December message in January', () => {
    expect(parseSyslog('<34>Oct 11 22:14:15 mymachine su[123]: \'su root\' failed', NOW)).toMatchObject({ facility: 4, severity: 2, hostname: 'mymachine', appName: 'su', procId: '123', message: "'su root' failed" });
    expect(parseSyslog('<13>Jan  5 01:02:03 sshd: hello', NOW)).toMatchObject({ hostname: '', appName: 'sshd', message: 'hello', tsNs: BigInt(Date.UTC(2024, 0, 5, 1, 2, 3)) * 1_000_000n });
    expect(parseSyslog('<13>Dec 31 23:00:00 h app: old', NOW).tsNs).toBe(BigInt(Date.UTC(2023, 11, 31, 23)) * 1_000_000n);
    expect(parseSyslog('just text, no priority', NOW)).toMatchObject({ facility: 1, severity: 5, message: 'just text, no priority', tsNs: undefined });
    expect(() => parseSyslog('<200>bad', NOW)).toThrow(/PRI 200 is out of range/);
    expect(() => parseSyslog('<13>1 yesterday h a - - - x', NOW)).toThrow(/bad timestamp "yesterday"/);
  });

  it('splits TCP streams by octet counting or newlines, across chunks', () => {
    const f = new SyslogTcpFramer(100);
    const framed = '<13>1 - - - -';
    expect(f.push(Buffer.from(`${framed.length} ${framed.slice(0, 10)}`))).toEqual({ messages: [] });
    expect(f.push(Buffer.from(`${framed.slice(10)}<13>hello\n<13>wor`))).toEqual({ messages: [framed, '<13>hello'] });
    expect(f.push(Buffer.from('ld\n5 ab'))).toEqual({ messages: ['<13>world'] });
    expect(f.end()).toEqual(['5 ab']);
    expect(new SyslogTcpFramer(100).push(Buffer.from('500 <13>x')).error).toMatch(/500 bytes is longer/);
    expect(new SyslogTcpFramer(10).push(Buffer.from('<13>a very long line without end')).error).toMatch(/line longer/);
  });
});
