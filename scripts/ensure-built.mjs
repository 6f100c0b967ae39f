// Used by `npm run start:<app>`: makes sure dependencies are installed and dist/ matches the sources, so one
// app can be started alone without remembering to build. Cheap when nothing changed (a few stat calls).
//
//   - node_modules missing, or package-lock.json newer than node_modules/.package-lock.json -> npm ci
//   - dist/ missing, an expected entry point missing, or any source newer than the last build -> build
//
// "The last build" is dist/.build-stamp, written by a workspace build (scripts/build.mjs without arguments).
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (...parts) => join(root, ...parts);
const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
};
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// 1. Dependencies.
const lockfile = at('package-lock.json');
if (!existsSync(at('node_modules'))) {
  console.log('ensure-built: node_modules missing, installing');
  execFileSync(npm, [existsSync(lockfile) ? 'ci' : 'install'], { cwd: root, stdio: 'inherit' });
} else if (lstatSync(at('node_modules')).isSymbolicLink()) {
  // A worktree sharing another checkout's install: `npm ci` here would empty that install through the link (a
  // merge touches package-lock.json's mtime without changing it). The checkout that owns node_modules installs.
} else if (existsSync(lockfile) && mtime(lockfile) > mtime(at('node_modules', '.package-lock.json'))) {
  console.log('ensure-built: package-lock.json changed since the last install, running npm ci');
  execFileSync(npm, ['ci'], { cwd: root, stdio: 'inherit' });
}

// 2. Build. Sources are every project's .ts files, their tsconfig.json and the assets build.mjs copies.
const SOURCE = /\.(ts|lua|html|css|svg|ico|png|json)$/;
function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (SOURCE.test(entry.name)) newest = Math.max(newest, mtime(path));
  }
  return newest;
}

const sourcesChanged = Math.max(
  ...['apps', 'libs', 'web', 'tools', 'e2e'].map((top) => newestSource(at(top))),
  ...['tsconfig.base.json', 'tsconfig.json', 'package.json', 'scripts/build.mjs'].map((file) => mtime(at(file))),
);
const lastBuild = mtime(at('dist', '.build-stamp'));

// Entry points that must exist after a build, checked only when their source exists (work in progress).
const ENTRY_POINTS = [
  'apps/order-api/src/main',
  'apps/order-worker/src/main',
  'apps/websocket-notifier/src/main',
  // The pages order-api serves (a dist/ of an older layout has them elsewhere).
  'web/src/shop/shop',
  'web/src/ops/ops',
  'tools/src/migrate',
  'tools/src/seed-demo',
];
const missingOutputs = ENTRY_POINTS.filter((p) => existsSync(at(`${p}.ts`)) && !existsSync(at('dist', `${p}.js`)));

let reason = null;
if (lastBuild === 0) reason = 'no previous build in dist/';
else if (missingOutputs.length > 0) reason = `dist/ lacks ${missingOutputs.map((p) => `${p}.js`).join(', ')}`;
else if (sourcesChanged > lastBuild) reason = 'sources changed since the last build';

if (reason) {
  console.log(`ensure-built: ${reason}, building`);
  execFileSync(process.execPath, [at('scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}
