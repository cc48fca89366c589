/** Prometheus' success envelope: `{status:"success", data, warnings?, infos?}`. */
export interface SuccessEnvelope<T> {
  readonly status: 'success';
  readonly data: T;
  readonly warnings?: readonly string[];
  readonly infos?: readonly string[];
}

export function success<T>(data: T, warnings: readonly string[] = [], infos: readonly string[] = []): SuccessEnvelope<T> {
  const out: { status: 'success'; data: T; warnings?: readonly string[]; infos?: readonly string[] } = { status: 'success', data };
  if (warnings.length > 0) out.warnings = warnings;
  if (infos.length > 0) out.infos = infos;
  return out;
}
