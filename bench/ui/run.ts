// UI budgets: compressed JS of the overview's first load, and the time to draw a range graph
// of 100 series × 1,000 points in headless Chromium (Debian's). Run: npx tsx bench/ui/run.ts
// (after `npm run build`). Not part of `npm test`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { build } from 'vite';
import { launchBrowser } from '../../test/ui-support/browser.js';
import { startTestServer, TEST_ADMIN_PASSWORD } from '../../test/support/server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const OUT = path.join(ROOT, 'bench/.work/ui-harness');
const DIST = path.join(ROOT, 'web/dist');
const JS_BUDGET = 300 * 1024;
const RENDER_BUDGET_MS = 100;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function firstLoad(): Promise<{ files: string[]; br: number; gz: number; raw: number }> {
  const ts = await startTestServer();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${ts.url}/login`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', TEST_ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('.stat-value');
    // Every script the browser fetched for sign-in and the overview.
    const scripts = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.js')));
    const files = [...new Set(scripts.map((u) => new URL(u).pathname))];
    let br = 0;
    let gz = 0;
    let raw = 0;
    for (const f of files) {
      const p = path.join(DIST, f);
      raw += statSync(p).size;
      br += existsSync(`${p}.br`) ? statSync(`${p}.br`).size : statSync(p).size;
      gz += existsSync(`${p}.gz`) ? statSync(`${p}.gz`).size : statSync(p).size;
    }
    return { files, br, gz, raw };
  } finally {
    await browser.close();
    await ts.stop();
  }
}

interface Timing {
  readonly script: number;
  readonly total: number;
}
type Bench = { renderBench: (a: number, b: number, c: boolean) => Promise<Timing>; renderRaw: (a: number, b: number, w: number) => Promise<Timing> };

async function renderTimes(): Promise<{ plain: Timing[]; stacked: Timing[]; raw1: Timing[]; raw125: Timing[] }> {
  await build({ root: path.join(ROOT, 'bench/ui/harness'), base: './', logLevel: 'warn', esbuild: { jsx: 'automatic' }, build: { outDir: OUT, emptyOutDir: true } });
  const server = http.createServer((req, res) => {
    const p = path.join(OUT, decodeURIComponent((req.url ?? '/').split('?')[0]!) === '/' ? 'index.html' : decodeURIComponent(req.url!.split('?')[0]!));
    if (!p.startsWith(OUT) || !existsSync(p)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': p.endsWith('.js') ? 'text/javascript' : p.endsWith('.css') ? 'text/css' : 'text/html' }).end(readFileSync(p));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => 'renderBench' in globalThis);
    const run = (stacked: boolean): Promise<Timing> => page.evaluate(([s]) => (globalThis as unknown as Bench).renderBench(100, 1000, s as boolean), [stacked] as const);
    const raw = (w: number): Promise<Timing> => page.evaluate(([x]) => (globalThis as unknown as Bench).renderRaw(100, 1000, x as number), [w] as const);
    await run(false); // warm-up (JIT, fonts)
    const plain: Timing[] = [];
    const stacked: Timing[] = [];
    const raw1: Timing[] = [];
    const raw125: Timing[] = [];
    // Interleaved, so a burst of load on the shared machine hits every variant alike.
    for (let i = 0; i < 7; i++) {
      plain.push(await run(false));
      stacked.push(await run(true));
      raw1.push(await raw(1));
      raw125.push(await raw(1.25));
    }
    return { plain, stacked, raw1, raw125 };
  } finally {
    await browser.close();
    server.close();
  }
}

const load = await firstLoad();
const times = await renderTimes();
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
console.log(`first load (sign-in + overview): ${load.files.length} scripts, ${kb(load.br)} brotli, ${kb(load.gz)} gzip, ${kb(load.raw)} uncompressed — budget ${kb(JS_BUDGET)}: ${load.gz <= JS_BUDGET ? 'OK' : 'OVER'}`);
const fig = (xs: Timing[]): string => {
  const tot = xs.map((x) => x.total);
  return `median ${median(tot).toFixed(1)} ms on screen (min ${Math.min(...tot).toFixed(1)}, max ${Math.max(...tot).toFixed(1)}; next frame begun at ${median(xs.map((x) => x.script)).toFixed(1)} ms)`;
};
const plainMs = median(times.plain.map((x) => x.total));
console.log(`range graph 100×1,000, RangeGraph: ${fig(times.plain)} — budget ${RENDER_BUDGET_MS} ms: ${plainMs <= RENDER_BUDGET_MS ? 'OK' : 'OVER'}`);
console.log(`  stacked: ${fig(times.stacked)}`);
console.log(`  uPlot alone, 1 px lines: ${fig(times.raw1)}`);
console.log(`  uPlot alone, 1.25 px lines (the previous setting): ${fig(times.raw125)}`);
console.log(`  load average: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
process.exit(load.gz <= JS_BUDGET && plainMs <= RENDER_BUDGET_MS ? 0 : 1);
