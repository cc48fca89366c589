import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { installAuthHook, type Authenticator } from '../../auth/index.js';
import { installErrorHandling, installRequestDecompression } from '../../http/index.js';
import { IchigenError } from '../../model/index.js';
import type { OtlpSinks } from '../../receive/otlp/index.js';
import { Counter, ingestRejectedCounter, type IngestSignal, type Logger, type Registry } from '../../self/index.js';
import { OtlpGrpcServer } from './grpc-server.js';
import { registerOtlpHttpRoutes } from './http-routes.js';
import { OtlpIngest } from './otlp-ingest.js';

export interface OtlpEndpointsOptions {
  /** `host:port` of the dedicated OTLP/HTTP listener; '' disables it. */
  readonly httpListen: string;
  /** `host:port` of OTLP/gRPC; '' disables it. */
  readonly grpcListen: string;
  readonly maxRequestBytes: number;
  readonly authenticator: Authenticator;
  readonly log: Logger;
  readonly registry: Registry;
}

function splitHostPort(text: string, key: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new IchigenError('INVALID_PARAMETER', `${key}: expected HOST:PORT such as 0.0.0.0:4318, got "${text}"`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

const OTLP_SIGNAL: Readonly<Record<string, IngestSignal>> = { '/v1/metrics': 'samples', '/v1/logs': 'log_lines', '/otlp/v1/logs': 'log_lines', '/v1/traces': 'spans' };

/** The ingest signal of an OTLP/HTTP route template (undefined for anything else). */
function signalOfPath(route: string | undefined): IngestSignal | undefined {
  return route === undefined ? undefined : OTLP_SIGNAL[route];
}

/**
 * OTLP ingest on every transport: routes on the main port, plus the conventional OTLP ports
 * (4318 HTTP, 4317 gRPC) so SDKs and collectors work with their default endpoints. Each
 * signal goes to the sink its owning module registered in `sinks` (filled in before start).
 */
export class OtlpEndpoints {
  readonly name = 'otlp';
  private readonly ingest: OtlpIngest;
  private httpApp: FastifyInstance | undefined;
  private grpc: OtlpGrpcServer | undefined;
  private httpPortBound = 0;

  constructor(
    readonly sinks: OtlpSinks,
    private readonly options: OtlpEndpointsOptions,
  ) {
    this.ingest = new OtlpIngest(sinks, {
      received: new Counter({
        name: 'ichigen_otlp_received_total',
        help: 'OTLP items accepted (spans, data points, log records), by signal and transport.',
        labelNames: ['signal', 'transport'],
        registers: [options.registry],
      }),
      rejected: new Counter({
        name: 'ichigen_otlp_rejected_total',
        help: 'OTLP items refused by a store (reported as partial success), by signal and transport.',
        labelNames: ['signal', 'transport'],
        registers: [options.registry],
      }),
    });
  }

  /** The routes on the main port. */
  async routes(app: FastifyInstance): Promise<void> {
    await app.register(async (scope) => registerOtlpHttpRoutes(scope, this.ingest, 'http'));
  }

  /** Port of the dedicated HTTP listener (0 when disabled). */
  get httpPort(): number {
    return this.httpPortBound;
  }

  get grpcPort(): number {
    return this.grpc?.port ?? 0;
  }

  async start(): Promise<void> {
    if (this.options.httpListen !== '') {
      const { host, port } = splitHostPort(this.options.httpListen, 'otlp.http_listen');
      const app = Fastify({
        loggerInstance: this.options.log as FastifyBaseLogger,
        bodyLimit: this.options.maxRequestBytes,
        logController: new LogController({ disableRequestLogging: true }),
        forceCloseConnections: 'idle',
      });
      installErrorHandling(app);
      installRequestDecompression(app);
      installAuthHook(app, this.options.authenticator);
      // Refusals here count with the main port's (the overview's rejected-requests figure).
      const refused = ingestRejectedCounter(this.options.registry);
      app.addHook('onResponse', async (request, reply) => {
        const signal = signalOfPath(request.routeOptions.url);
        if (signal !== undefined && reply.statusCode >= 400) refused.inc({ signal });
      });
      await app.register(async (scope) => registerOtlpHttpRoutes(scope, this.ingest, 'http'));
      await app.listen({ host, port });
      this.httpApp = app;
      this.httpPortBound = (app.server.address() as AddressInfo).port;
      this.options.log.info({ listen: `${host}:${this.httpPortBound}` }, 'OTLP/HTTP is listening');
    }
    if (this.options.grpcListen !== '') {
      splitHostPort(this.options.grpcListen, 'otlp.grpc_listen');
      this.grpc = new OtlpGrpcServer({
        address: this.options.grpcListen,
        maxMessageBytes: this.options.maxRequestBytes,
        authenticator: this.options.authenticator,
        ingest: this.ingest,
        log: this.options.log,
        rejected: ingestRejectedCounter(this.options.registry),
      });
      await this.grpc.start();
    }
  }

  async stop(): Promise<void> {
    await this.grpc?.stop();
    await this.httpApp?.close();
    this.grpc = undefined;
    this.httpApp = undefined;
  }
}
