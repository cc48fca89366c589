/**
 * Splits a syslog TCP byte stream into messages: RFC 6587 octet counting (`<len> <msg>`) when
 * a frame starts with a digit, else non-transparent framing (one message per LF-terminated
 * line). A frame longer than `maxBytes` is an error (the caller closes the connection).
 */
export class SyslogTcpFramer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): { messages: string[]; error?: string } {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const messages: string[] = [];
    for (;;) {
      if (this.buf.length === 0) break;
      const c = this.buf[0]!;
      if (c === 0x0a || c === 0x0d || c === 0x00) {
        this.buf = this.buf.subarray(1);
        continue;
      }
      if (c >= 0x30 && c <= 0x39) {
        const sp = this.buf.indexOf(0x20);
        if (sp < 0) {
          if (this.buf.length > 10) return { messages, error: 'octet count without a space after it' };
          break;
        }
        const lenText = this.buf.subarray(0, sp).toString('latin1');
        if (!/^\d{1,10}$/.test(lenText)) return { messages, error: `bad octet count "${lenText.slice(0, 12)}"` };
        const len = Number(lenText);
        if (len > this.maxBytes) return { messages, error: `message of ${len} bytes is longer than the ${this.maxBytes} allowed` };
        if (this.buf.length < sp + 1 + len) break;
        messages.push(this.buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
        this.buf = this.buf.subarray(sp + 1 + len);
        continue;
      }
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) {
        if (this.buf.length > this.maxBytes) return { messages, error: `line longer than the ${this.maxBytes} bytes allowed` };
        break;
      }
      messages.push(this.buf.subarray(0, nl).toString('utf8'));
      this.buf = this.buf.subarray(nl + 1);
    }
    return { messages };
  }

  /** What is left when the connection ends: a last message without its LF. */
  end(): string[] {
    const rest = this.buf.toString('utf8').trim();
    this.buf = Buffer.alloc(0);
    return rest === '' ? [] : [rest];
  }
}
