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
const staticImports = new Map(); // output file name -> the files it imports statically
for (const b of builds) {
  const r = await esbuild.build({ ...common, ...b, metafile: true });
  for (const [out, meta] of Object.entries(r.metafile.outputs)) {
    staticImports.set(out.split('/').pop(), meta.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path.split('/').pop()));
  }
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
// index.html runs src/boot.js inline, first thing: a script of its own
// would cost a round trip before it could start anything.
const boot = await esbuild.build({ ...common, entryPoints: [join(here, 'src/boot.js')], format: 'iife', legalComments: 'none' });
const bootJS = boot.outputFiles[0].text.trim();
if (bootJS.includes('</script')) throw new Error('src/boot.js: the bundle contains </script');

// index.html preloads every module that dist/page.js needs before it
// runs (the SDK and the chunks that it imports statically), so that the
// browser fetches them all at once rather than one after the other.
{
  const need = [];
  const walk = (f) => { if (need.includes(f)) return; need.push(f); for (const i of staticImports.get(f) || []) walk(i); };
  walk('page.js');
  const links = need.reverse().map((f) => `<link rel="modulepreload" href="dist/${f}">`).join('\n');
  const path = join(here, 'index.html');
  const html = readFileSync(path, 'utf8');
  const re = /(<!-- modulepreload: build\.mjs writes these -->)[\s\S]*?(<!-- end modulepreload -->)/;
  if (!re.test(html)) throw new Error('index.html lacks the modulepreload markers');
  const bootRE = /(<!-- boot: build\.mjs inlines src\/boot\.js here -->)[\s\S]*?(<!-- end boot -->)/;
  if (!bootRE.test(html)) throw new Error('index.html lacks the boot markers');
  const fresh = html.replace(re, (_, a, b) => `${a}\n${links}\n${b}`)
    .replace(bootRE, (_, a, b) => `${a}\n<script>${bootJS}</script>\n${b}`);
  if (fresh !== html) {
    if (check) stale.push(path);
    else writeFileSync(path, fresh);
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
