import { isIP } from 'node:net';
import { IchigenError } from '../../model/index.js';

/** An `ip("…")` argument: one address, a CIDR prefix, or an `a-b` range. */
export type IpMatcher = (addr: string) => boolean;

function toBig(addr: string): { v: bigint; bits: number } | undefined {
  const kind = isIP(addr);
  if (kind === 4) return { v: addr.split('.').reduce((a, p) => (a << 8n) + BigInt(Number(p)), 0n), bits: 32 };
  if (kind === 6) {
    let s = addr;
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
    if (v4) {
      const n = toBig(v4[1]!)!.v;
      s = s.slice(0, -v4[1]!.length) + ((n >> 16n).toString(16) + ':' + (n & 0xffffn).toString(16));
    }
    const [head, tail] = s.split('::') as [string, string | undefined];
    const h = head === '' ? [] : head.split(':');
    const t = tail === undefined || tail === '' ? [] : tail.split(':');
    const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
    return { v: groups.reduce((a, g) => (a << 16n) + BigInt(parseInt(g, 16)), 0n), bits: 128 };
  }
  return undefined;
}

export function compileIp(spec: string): IpMatcher {
  const fail = (): IchigenError => new IchigenError('PARSE_ERROR', `parse error : invalid ip filter ${JSON.stringify(spec)}: use an address, a CIDR or a range a-b`);
  if (spec.includes('/')) {
    const [a, p] = spec.split('/') as [string, string];
    const base = toBig(a);
    const prefix = Number(p);
    if (!base || !Number.isInteger(prefix) || prefix < 0 || prefix > base.bits) throw fail();
    const shift = BigInt(base.bits - prefix);
    const net = base.v >> shift;
    return (addr) => {
      const x = toBig(addr);
      return x !== undefined && x.bits === base.bits && x.v >> shift === net;
    };
  }
  if (spec.includes('-')) {
    const [a, b] = spec.split('-') as [string, string];
    const lo = toBig(a.trim());
    const hi = toBig(b.trim());
    if (!lo || !hi || lo.bits !== hi.bits) throw fail();
    return (addr) => {
      const x = toBig(addr);
      return x !== undefined && x.bits === lo.bits && x.v >= lo.v && x.v <= hi.v;
    };
  }
  const one = toBig(spec);
  if (!one) throw fail();
  return (addr) => {
    const x = toBig(addr);
    return x !== undefined && x.bits === one.bits && x.v === one.v;
  };
}

const CANDIDATES = /[0-9a-fA-F:.]*[:.][0-9a-fA-F:.]*/g;

/** True when any address found in the line satisfies the matcher. */
export function lineHasIp(line: string, m: IpMatcher): boolean {
  for (const c of line.match(CANDIDATES) ?? []) {
    const t = c.replace(/^[.:]+|[.]+$/g, '');
    if (isIP(t) && m(t)) return true;
    // "1.2.3.4:8080" and similar: try the IPv4 part alone.
    const v4 = /\d{1,3}(\.\d{1,3}){3}/.exec(c);
    if (v4 && isIP(v4[0]) && m(v4[0])) return true;
  }
  return false;
}
