// Builds the workspace, or some of its projects, into dist/ (the layout the apps, tests and tools run from):
//
//   node scripts/build.mjs                    every project (what `npm start` and `npm test` run)
//   node scripts/build.mjs apps/order-worker libs/infrastructure/stock
//                                             these projects and, through their references, what they import
//                                             (each Nx `build` target is this with its own project root)
//
// Each project is a TypeScript project reference (its tsconfig.json: composite, the projects it imports under
// "references"), so `tsc -b` compiles only what changed since the last build and checks each project against
// the declarations of the ones it imports. tsc keeps the decorator metadata Nest's injection needs.
//
// After tsc, per project: point its `require("@seckill/<lib>")`s at the compiled library, copy the
// non-TypeScript assets (Lua scripts, pages' HTML/CSS), and delete outputs whose source is gone: a compiled
// file whose source was deleted must never run (or be run as a test).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const started = Date.now();
function withReferences(roots, seen = new Set()) {
  for (const project of roots) {
    if (seen.has(project)) continue;
    seen.add(project);
    // tsconfig.json is JSONC: web/tsconfig.json opens with comment lines, which JSON.parse refuses.
    const { references = [] } = JSON.parse(readFileSync(join(root, project, 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
    withReferences(references.map(({ path }) => relative(root, join(root, project, path)).split(sep).join('/')), seen);
  }
  return [...seen];
}

const ASSET = /\.(lua|html|css|svg|ico|png|json)$/;
const isProjectConfig = (name) => /^(project|tsconfig(\.\w+)?)\.json$/.test(name);
// What tsc emits for a source `x.ts`, and what copyAssets copies as itself.
const EMITTED = ['.d.ts.map', '.js.map', '.d.ts', '.js'];
// How tsc's CommonJS output spells an import of one of the libraries (see resolveAliases).
const ALIASED = /require\("@seckill\/([a-z-]+)"\)/g;
// '@seckill/<lib>' → the library's index.ts, as tsconfig.base.json's paths say (the one list of libraries).
const LIBRARY_ENTRIES = new Map(
  Object.entries(JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths).map(([alias, [entry]]) => [
    alias.slice('@seckill/'.length),
    join(dist, entry.replace(/\.ts$/, '.js')),
  ]),
);

const requested = process.argv.slice(2).map((arg) => arg.replace(/\/+$/, ''));
const everything = requested.length === 0;
for (const project of requested) {
  if (!existsSync(join(root, project, 'project.json'))) throw new Error(`build: ${project} is not a project (no project.json)`);
}
// tsc -b also (re)compiles the projects a requested one references, and those outputs need the same care.
const projects = everything ? allProjects() : withReferences(requested);

// The root tsconfig.json lists every server project; the pages (web) are the one project outside it.
const tsconfigs = everything ? ['tsconfig.json', 'web/tsconfig.json'] : requested.map((p) => `${p}/tsconfig.json`);
execFileSync(tsc, ['-b', ...tsconfigs], { cwd: root, stdio: 'inherit' });
for (const project of projects) {
  copyAssets(join(root, project, 'src'));
  prune(join(dist, project));
  resolveAliases(join(dist, project));
}
if (everything) {
  pruneDeletedProjects();
  // ensure-built.mjs compares sources against this stamp to decide whether `npm run start:<app>` must build.
  writeFileSync(join(dist, '.build-stamp'), `${new Date().toISOString()}\n`);
}
console.log(`build: ${everything ? 'workspace' : projects.join(', ')} done in ${((Date.now() - started) / 1000).toFixed(1)}s`);

// Projects sit at most two folders deep under apps/ and libs/ (libs/<layer>/<name>), or at the top (web, tools, e2e).
function allProjects() {
  const found = [];
  const scan = (dir) => {
    if (existsSync(join(root, dir, 'project.json'))) return void found.push(dir);
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) if (entry.isDirectory()) scan(`${dir}/${entry.name}`);
  };
  for (const top of ['apps', 'libs', 'web', 'tools', 'e2e']) if (existsSync(join(root, top))) scan(top);
  return found;
}



function copyAssets(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (ASSET.test(entry) && !isProjectConfig(entry)) {
      const target = join(dist, relative(root, path));
      if (existsSync(target) && statSync(target).mtimeMs >= statSync(path).mtimeMs) continue;
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
}

function hasSource(outputPath) {
  const source = join(root, relative(dist, outputPath));
  if (ASSET.test(source) && existsSync(source)) return true;
  const suffix = EMITTED.find((ending) => source.endsWith(ending));
  return suffix !== undefined && existsSync(source.slice(0, -suffix.length) + '.ts');
}
function prune(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      prune(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
    } else if (!entry.name.endsWith('.tsbuildinfo') && !hasSource(path)) {
      rmSync(path);
    }
  }
}

// A project deleted or moved leaves its old output behind; any folder of dist/ that is neither a project's
// output nor on the way to one goes.
function pruneDeletedProjects() {
  const kept = allProjects();
  const walk = (dir) => {
    for (const entry of readdirSync(join(dist, dir), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = `${dir}/${entry.name}`;
      if (kept.includes(path)) continue;
      if (kept.some((project) => project.startsWith(`${path}/`))) walk(path);
      else rmSync(join(dist, path), { recursive: true, force: true });
    }
  };
  for (const top of ['apps', 'libs']) if (existsSync(join(dist, top))) walk(top);
}

// The code imports '@seckill/<lib>' (tsconfig.base.json's paths, for the compiler and the editor); Node needs
// the compiled file's relative path. tsc-alias does this for a whole outDir, but every project shares dist/
// (and Nx builds two at once), and pointed at one project's folder it no longer finds the targets; tsc's
// CommonJS output spells every such import `require("@seckill/<lib>")` (ALIASED), so one replacement suffices.
function resolveAliases(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) resolveAliases(path);
    else if (entry.name.endsWith('.js')) {
      const code = readFileSync(path, 'utf8');
      const resolved = code.replace(ALIASED, (whole, lib) => {
        const entry = LIBRARY_ENTRIES.get(lib);
        if (!entry) return whole;
        let target = relative(dirname(path), entry).split(sep).join('/');
        if (!target.startsWith('.')) target = `./${target}`;
        return `require("${target}")`;
      });
      if (resolved !== code) writeFileSync(path, resolved);
    }
  }
}
