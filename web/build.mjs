// Builds dist/ with esbuild: dist/p2pcam.js (the SDK, one ES module with
// mqtt and mpegts.js inside) and dist/page.js (the player page).
// `node build.mjs --check` builds in memory and fails when dist/ differs,
// so CI catches a bundle that was not rebuilt after a source change.
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes('--check');

const common = {
  bundle: true, format: 'esm', platform: 'browser', target: ['chrome110', 'firefox115', 'safari16'],
  minify: true, legalComments: 'eof', write: false, logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
};
const builds = [
  // mpegts.js is a chunk of its own (dist/chunk-*.js), loaded only for
  // the FLV path: the track path starts without parsing it.
  { entryPoints: { p2pcam: join(here, 'src/index.js') }, outdir: join(here, 'dist'), splitting: true, chunkNames: 'chunk-[hash]' },
  // The page loads the SDK bundle instead of carrying its own copy.
  { entryPoints: [join(here, 'src/page.js')], outfile: join(here, 'dist/page.js'), plugins: [{
    name: 'sdk-external',
    setup(b) { b.onResolve({ filter: /^\.\/index\.js$/ }, () => ({ path: './p2pcam.js', external: true })); },
  }] },
];

let stale = [];
const produced = new Set();
for (const b of builds) {
  const r = await esbuild.build({ ...common, ...b });
  for (const f of r.outputFiles) {
    produced.add(f.path);
    let old = null;
    try { old = readFileSync(f.path); } catch { /* missing */ }
    const same = old && Buffer.compare(old, Buffer.from(f.contents)) === 0;
    if (check) {
      if (!same) stale.push(f.path);
    } else if (!same) {
      mkdirSync(dirname(f.path), { recursive: true });
      writeFileSync(f.path, f.contents);
    }
    if (!check) console.log(`${f.path.slice(here.length + 1)}  ${(f.contents.length / 1024).toFixed(1)} KiB`);
  }
}
// Chunks of an older build.
for (const name of readdirSync(join(here, 'dist'))) {
  const path = join(here, 'dist', name);
  if (produced.has(path)) continue;
  if (check) stale.push(path);
  else unlinkSync(path);
}
if (stale.length) {
  console.error(`stale bundle: ${stale.map((p) => p.slice(here.length + 1)).join(', ')} differ from src/; run: (cd web && npm run build) and commit dist/`);
  process.exit(1);
}
if (check) console.log('bundle is fresh');
