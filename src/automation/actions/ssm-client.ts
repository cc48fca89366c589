import { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsSettings } from './action.js';

/** An SSM client with the SDK's standard credential chain (env, profile, SSO, instance role…). */
export function ssmClient(aws: AwsSettings, region: string | undefined): SSMClient {
  const r = region ?? aws.region;
  return new SSMClient({ ...(r !== '' ? { region: r } : {}), ...(aws.endpoint !== '' ? { endpoint: aws.endpoint } : {}), maxAttempts: 3 });
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
