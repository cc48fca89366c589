import { sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeCert, type TestCert } from './x509.js';

/**
 * A local stand-in for sns.<region>.amazonaws.com: serves signing certificates issued by a
 * test CA (and one from a rogue CA), records subscription confirmations, and signs messages
 * the way SNS does (the developer guide's string to sign, SHA1withRSA v1 / SHA256withRSA v2).
 */
export interface SnsPeer {
  /** Base URL; trust it with `events.sns_cert_url_prefixes: [url + '/']`. */
  readonly url: string;
  /** A PEM file of the test CA, for `events.sns_ca_file`. */
  readonly caFile: string;
  /** The rogue certificate (same name, another CA) and its key. */
  readonly rogue: TestCert;
  /** Paths of the SubscribeURLs fetched so far. */
  readonly confirmations: string[];
  message(type: string, fields: Record<string, string>, opts?: SnsMessageOptions): Record<string, string>;
  stop(): Promise<void>;
}

export interface SnsMessageOptions {
  readonly version?: '1' | '2';
  /** Certificate file name on the peer: `good.pem` (default) or `rogue.pem`. */
  readonly cert?: string;
  readonly key?: TestCert;
  readonly topic?: string;
}

export async function startSnsPeer(defaultTopic: string): Promise<SnsPeer> {
  const ca = makeCert({ cn: 'Test SNS CA', ca: true });
  const leaf = makeCert({ cn: 'sns.eu-west-1.amazonaws.com', issuer: ca });
  const rogue = makeCert({ cn: 'sns.eu-west-1.amazonaws.com', issuer: makeCert({ cn: 'Rogue CA', ca: true }) });
  const confirmations: string[] = [];
  const server = createServer((req, res) => {
    if (req.url === '/SimpleNotificationService-good.pem') return void res.end(leaf.pem);
    if (req.url === '/SimpleNotificationService-rogue.pem') return void res.end(rogue.pem);
    if (req.url?.startsWith('/confirm?')) {
      confirmations.push(req.url);
      return void res.end('<ConfirmSubscriptionResponse/>');
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-sns-'));
  const caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, ca.pem);
  let n = 0;
  return {
    url,
    caFile,
    rogue,
    confirmations,
    message(type, fields, opts = {}) {
      const m: Record<string, string> = {
        Type: type,
        MessageId: `msg-${++n}-${Date.now()}`,
        TopicArn: opts.topic ?? defaultTopic,
        Timestamp: new Date().toISOString(),
        SignatureVersion: opts.version ?? '2',
        SigningCertURL: `${url}/SimpleNotificationService-${opts.cert ?? 'good.pem'}`,
        ...fields,
      };
      const keys = type === 'Notification' ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
      const text = keys.filter((k) => m[k] !== undefined).map((k) => `${k}\n${m[k]}\n`).join('');
      m.Signature = sign(m.SignatureVersion === '1' ? 'sha1' : 'sha256', Buffer.from(text), (opts.key ?? leaf).key).toString('base64');
      return m;
    },
    async stop() {
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Posts a message as SNS does: JSON in a text/plain body with the message-type header. */
export function postSns(url: string, m: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': String((m as { Type: string }).Type) }, body: JSON.stringify(m) });
}
