import { isIP } from 'node:net';
import { invalid } from './wildcard.js';

/** An address as a bigint plus its family, so IPv4 and IPv6 ranges use one comparison. */
interface Addr {
  readonly v6: boolean;
  readonly n: bigint;
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseV6(s: string): bigint | undefined {
  let text = s;
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two hextets.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseV4(tail);
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const rest = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? head.length !== 8 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

export function parseIp(s: string): Addr | undefined {
  const family = isIP(s);
  if (family === 4) {
    const n = parseV4(s);
    return n === undefined ? undefined : { v6: false, n };
  }
  if (family === 6) {
    const n = parseV6(s);
    return n === undefined ? undefined : { v6: true, n };
  }
  return undefined;
}

// Many rules test the same event value in a row (one event against every cidr rule): the last
// address parsed is kept, so a value is parsed once per event instead of once per rule.
let lastText: string | undefined;
let lastAddr: Addr | undefined;
function parseIpOnce(s: string): Addr | undefined {
  if (s !== lastText) {
    lastAddr = parseIp(s);
    lastText = s;
  }
  return lastAddr;
}

/** Compiles `10.0.0.0/24` or `2001:db8::/32` into a test on string values. */
export function compileCidr(cidr: unknown, where: string): (value: unknown) => boolean {
  if (typeof cidr !== 'string') throw invalid(where, `"cidr" needs a string such as "10.0.0.0/24", got ${JSON.stringify(cidr)}`);
  const slash = cidr.indexOf('/');
  const base = slash < 0 ? undefined : parseIp(cidr.slice(0, slash));
  const bitsText = slash < 0 ? '' : cidr.slice(slash + 1);
  if (base === undefined || !/^\d{1,3}$/.test(bitsText)) throw invalid(where, `"cidr": "${cidr}" is not an IPv4 or IPv6 CIDR block`);
  const width = base.v6 ? 128 : 32;
  const bits = Number(bitsText);
  if (bits > width) throw invalid(where, `"cidr": prefix length /${bits} exceeds ${width}`);
  const shift = BigInt(width - bits);
  const prefix = base.n >> shift;
  return (value) => {
    if (typeof value !== 'string') return false;
    const a = parseIpOnce(value);
    return a !== undefined && a.v6 === base.v6 && a.n >> shift === prefix;
  };
}
