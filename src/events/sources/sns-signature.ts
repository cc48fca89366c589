import { X509Certificate, verify } from 'node:crypto';
import { IchigenError } from '../../model/index.js';

/** The fields of an SNS HTTP(S) message body that signing and handling use. */
export interface SnsMessage {
  readonly Type: string;
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion: string;
  readonly Signature: string;
  readonly SigningCertURL: string;
  readonly Subject?: string;
  readonly Token?: string;
  readonly SubscribeURL?: string;
  readonly UnsubscribeURL?: string;
  readonly MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

export interface SnsVerifierOptions {
  /**
   * URL prefixes a SigningCertURL / SubscribeURL may start with besides the AWS default
   * (`https://sns.<region>.amazonaws.com/`), e.g. a local server in tests.
   */
  readonly extraUrlPrefixes: readonly string[];
  /** PEM CA certificates the signing certificate must be issued by; none: trust the HTTPS host. */
  readonly caPem?: string;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

const AWS_SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
const CERT_CACHE_MS = 60 * 60 * 1000;
const MAX_CERT_BYTES = 16 * 1024;

/** Keys signed, in order, per message type (the SNS developer guide's "string to sign"). */
const SIGNED_KEYS: Record<string, readonly (keyof SnsMessage)[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

export function stringToSign(m: SnsMessage): string {
  const keys = SIGNED_KEYS[m.Type];
  if (keys === undefined) throw new IchigenError('INVALID_BODY', `unknown SNS message Type "${m.Type}"`);
  let out = '';
  for (const k of keys) {
    const v = m[k];
    // Subject is signed only when present; the others are required.
    if (v === undefined || v === null) {
      if (k === 'Subject') continue;
      throw new IchigenError('INVALID_BODY', `SNS message lacks ${k}`);
    }
    out += `${k}\n${String(v)}\n`;
  }
  return out;
}

/** Verifies SNS signatures (version 1: SHA1withRSA, version 2: SHA256withRSA) against the signing certificate. */
export class SnsVerifier {
  private readonly certs = new Map<string, { cert: X509Certificate; at: number }>();
  private readonly cas: X509Certificate[];
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: SnsVerifierOptions) {
    this.cas = options.caPem === undefined || options.caPem.trim() === '' ? [] : splitPem(options.caPem).map((p) => new X509Certificate(p));
    this.fetchFn = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  /** True for https://sns.<region>.amazonaws.com/… or a configured prefix. */
  isTrustedUrl(url: string): boolean {
    if (this.options.extraUrlPrefixes.some((p) => p !== '' && url.startsWith(p))) return true;
    try {
      const u = new URL(url);
      return u.protocol === 'https:' && AWS_SNS_HOST.test(u.hostname) && u.port === '';
    } catch {
      return false;
    }
  }

  /** Throws FORBIDDEN unless the message is signed by a valid SNS certificate. */
  async verify(m: SnsMessage): Promise<void> {
    const alg = m.SignatureVersion === '1' ? 'sha1' : m.SignatureVersion === '2' ? 'sha256' : undefined;
    if (alg === undefined) throw forbidden(`unsupported SNS SignatureVersion "${m.SignatureVersion}"`);
    if (typeof m.SigningCertURL !== 'string' || !this.isTrustedUrl(m.SigningCertURL)) throw forbidden('SigningCertURL is not an SNS certificate URL');
    const cert = await this.certificate(m.SigningCertURL);
    const ok = verify(alg, Buffer.from(stringToSign(m), 'utf8'), cert.publicKey, Buffer.from(String(m.Signature), 'base64'));
    if (!ok) throw forbidden('SNS signature does not verify');
  }

  private async certificate(url: string): Promise<X509Certificate> {
    const cached = this.certs.get(url);
    const now = this.now();
    if (cached !== undefined && now - cached.at < CERT_CACHE_MS) {
      this.checkValidity(cached.cert);
      return cached.cert;
    }
    let pem: string;
    try {
      const r = await this.fetchFn(url, { signal: AbortSignal.timeout(5000), redirect: 'error' });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      pem = await r.text();
      if (pem.length > MAX_CERT_BYTES) throw new Error('certificate too large');
    } catch (err) {
      throw new IchigenError('UNAVAILABLE', `cannot fetch the SNS signing certificate: ${(err as Error).message}`, { retryAfterSeconds: 5 });
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      throw forbidden('the SNS signing certificate is not a PEM certificate');
    }
    this.checkValidity(cert);
    if (this.cas.length > 0 && !this.cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) {
      throw forbidden('the SNS signing certificate is not issued by a trusted CA');
    }
    this.certs.set(url, { cert, at: now });
    return cert;
  }

  private checkValidity(cert: X509Certificate): void {
    const now = this.now();
    if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now) throw forbidden('the SNS signing certificate is expired or not yet valid');
  }
}

function forbidden(m: string): IchigenError {
  return new IchigenError('FORBIDDEN', m);
}

function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
