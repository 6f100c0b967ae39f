// Compiles every app, lib, tool and test with tsc (keeps decorator metadata, which Nest's injection needs),
// rewrites the @seckill/* path aliases to relative requires, and copies the non-TypeScript assets.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const started = Date.now();
// A clean output every time: a compiled file whose source was deleted must never run (or be run as a test).
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
execFileSync(bin('tsc-alias'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
// The shopper page and the ops console (apps/web) are browser code (DOM, ES modules, no Node types), compiled
// into dist/apps/web/src/ next to their assets. `-b` first builds the contract's declarations
// (dist/types/contracts/), against which the pages' `import type`s are checked (see apps/web/tsconfig.json).
execFileSync(bin('tsc'), ['-b', 'apps/web/tsconfig.json'], { cwd: root, stdio: 'inherit' });

const ASSET = /\.(lua|html|css|svg|ico|png|json)$/;
function copyAssets(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (ASSET.test(entry) && !/^(project|tsconfig(\.\w+)?)\.json$/.test(entry)) cpSync(path, join(root, 'dist', relative(root, path)));
  }
}
for (const top of ['apps', 'libs']) {
  for (const project of readdirSync(join(root, top))) {
    const src = join(root, top, project, 'src');
    try { copyAssets(src); } catch (e) { if (e.code !== 'ENOENT') throw e; }
  }
}
// ensure-built.mjs compares sources against this stamp to decide whether `npm run start:<app>` must build.
writeFileSync(join(root, 'dist', '.build-stamp'), `${new Date().toISOString()}\n`);
console.log(`build: done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
