import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './process.js';

/** The media-type script as the README documents it (the block after its marker comment). */
export function readmeZabbixScript(): string {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const m = /<!-- zabbix-media-type-script[^>]*-->\s*```js\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README has no zabbix-media-type-script block');
  return m[1]!;
}

/**
 * Zabbix runs a webhook script in its embedded JavaScript engine with `value` (the parameters
 * as a JSON text) and a synchronous `HttpRequest` (addHeader, post, getStatus). Zabbix itself
 * does not run here, so a child Node process plays that runtime: the script runs in a fresh
 * vm context with those two names only, HttpRequest doing real blocking requests with curl.
 */
const RUNTIME = `
const vm = require('node:vm');
const { execFileSync } = require('node:child_process');
const { script, params } = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
class HttpRequest {
  constructor() { this.headers = []; this.status = 0; }
  addHeader(h) { this.headers.push(h); }
  post(url, data) {
    const args = ['-sS', '-X', 'POST', '-w', '\\n%{http_code}', '--data-binary', '@-', url];
    for (const h of this.headers) args.unshift('-H', h);
    const out = execFileSync('curl', args, { input: data, encoding: 'utf8' });
    const i = out.lastIndexOf('\\n');
    this.status = Number(out.slice(i + 1));
    return out.slice(0, i);
  }
  getStatus() { return this.status; }
}
try {
  const result = vm.runInNewContext('(function () {' + script + '\\n})()', { value: JSON.stringify(params), HttpRequest });
  process.stdout.write(JSON.stringify({ ok: true, result: String(result) }));
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(err) }));
}
`;

export function runZabbixScript(script: string, params: Record<string, string>): Promise<{ ok: boolean; result?: string; error?: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', RUNTIME], { timeout: 20_000 }, (err, stdout) => {
      if (err) return reject(err);
      resolve(JSON.parse(stdout) as { ok: boolean; result?: string; error?: string });
    });
    child.stdin!.end(JSON.stringify({ script, params }));
  });
}
