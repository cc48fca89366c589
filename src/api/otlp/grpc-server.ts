import * as grpc from '@grpc/grpc-js';
import type { Authenticator } from '../../auth/index.js';
import { resolveTenant } from '../../auth/index.js';
import { TENANT_HEADER, IchigenError, hasScope } from '../../model/index.js';
import { encodeExportResponse, type OtlpSignal } from '../../receive/otlp/index.js';
import type { Counter, IngestSignal, Logger } from '../../self/index.js';
import { toIchigenError } from '../../http/index.js';
import type { OtlpIngest } from './otlp-ingest.js';
import { grpcCodeOf } from './rpc-status.js';

const SERVICES: Record<OtlpSignal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
};

const identity = (b: Buffer): Buffer => b;

export interface OtlpGrpcOptions {
  readonly address: string;
  readonly maxMessageBytes: number;
  readonly authenticator: Authenticator;
  readonly ingest: OtlpIngest;
  readonly log: Logger;
  /** Counts refused exports (`ichigen_ingest_rejected_requests_total`), like the HTTP listeners. */
  readonly rejected?: Counter<'signal'>;
}

const INGEST_SIGNAL: Record<OtlpSignal, IngestSignal> = { traces: 'spans', metrics: 'samples', logs: 'log_lines' };

function metadataValue(md: grpc.Metadata, key: string): string | undefined {
  const v = md.get(key)[0];
  return v === undefined ? undefined : typeof v === 'string' ? v : v.toString('utf8');
}

function peerIp(peer: string): string {
  const m = /^(?:ipv[46]:)?\[?([^\]]*?)\]?:\d+$/.exec(peer);
  return m?.[1] ?? peer;
}

/**
 * OTLP/gRPC: the three Export services with raw-buffer (de)serialisers, so decoding goes
 * through the same protobufjs schema and normalisation as OTLP/HTTP. Authentication is the
 * `authorization` metadata (Bearer token, or Basic with a token as password); the tenant is
 * `x-scope-orgid` metadata. gzip message compression is handled by grpc-js.
 */
export class OtlpGrpcServer {
  private server: grpc.Server | undefined;
  private boundPort = 0;

  constructor(private readonly options: OtlpGrpcOptions) {}

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    const server = new grpc.Server({
      'grpc.max_receive_message_length': this.options.maxMessageBytes,
      'grpc.max_send_message_length': 4 * 1024 * 1024,
    });
    for (const signal of Object.keys(SERVICES) as OtlpSignal[]) {
      const path = SERVICES[signal];
      const definition: grpc.ServiceDefinition = {
        Export: {
          path,
          requestStream: false,
          responseStream: false,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        },
      };
      server.addService(definition, {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          this.handle(signal, call).then(
            (body) => callback(null, body),
            (err: unknown) => {
              const e = toIchigenError(err);
              this.options.rejected?.inc({ signal: INGEST_SIGNAL[signal] });
              if (e.status >= 500) this.options.log.error({ err: e.cause ?? err, signal }, e.message);
              callback({ code: grpcCodeOf(e), details: e.message } as grpc.ServiceError);
            },
          );
        },
      });
    }
    this.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(this.options.address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
    });
    this.server = server;
    this.options.log.info({ listen: this.options.address, port: this.boundPort }, 'OTLP/gRPC is listening');
  }

  private async handle(signal: OtlpSignal, call: grpc.ServerUnaryCall<Buffer, Buffer>): Promise<Buffer> {
    const auth = metadataValue(call.metadata, 'authorization');
    const result = await this.options.authenticator.authenticate({ headers: { authorization: auth }, ip: peerIp(call.getPeer()) });
    if (!result) throw new IchigenError('UNAUTHENTICATED', 'authentication required: send "authorization: Bearer <token>" metadata');
    if (!hasScope(result.principal, 'ingest')) throw new IchigenError('FORBIDDEN', `this credential lacks the "ingest" scope needed for OTLP ${signal}`);
    const tenant = resolveTenant(result.principal, metadataValue(call.metadata, TENANT_HEADER));
    const out = await this.options.ingest.export(signal, tenant, call.request, 'protobuf', 'grpc');
    return encodeExportResponse(signal, 'protobuf', out);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 5000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
