import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes .br and .gz beside each text asset so the server sends them pre-compressed
 * (@fastify/static `preCompressed`) instead of compressing on every request.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'ichigen-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((name) => {
          const p = path.join(dir, name);
          return statSync(p).isDirectory() ? walk(p) : [p];
        });
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|svg|json)$/.test(file)) continue;
        const data = readFileSync(file);
        if (data.length < 1024) continue;
        writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
      }
    },
  };
}

/**
 * The dev server's proxy to a running Ichigen. The browser's Origin is the dev server's, which
 * Ichigen's CSRF check would refuse for cookie-authenticated writes, so the proxy presents the
 * target's own origin (development only; the built UI is served by Ichigen itself).
 */
export function devProxy(target: string): { target: string; changeOrigin: boolean; headers: Record<string, string> } {
  return { target, changeOrigin: true, headers: { origin: target } };
}

// React's automatic JSX runtime through esbuild: no extra Vite plugin needed.
export default defineConfig({
  root: path.dirname(new URL(import.meta.url).pathname),
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 700,
  },
  server: {
    // `npx vite web` during development: the API is the running Ichigen on 8910.
    proxy: Object.fromEntries(['/api', '/loki', '/metrics'].map((p) => [p, devProxy('http://127.0.0.1:8910')])),
  },
  plugins: [precompress()],
});
