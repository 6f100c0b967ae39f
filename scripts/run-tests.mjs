// Runs the compiled tests (dist/**/*.spec.js) with Node's built-in test runner; no external framework.
//
//   node scripts/run-tests.mjs                 every test: unit, then svc, then int, then e2e
//   node scripts/run-tests.mjs unit            *.spec.js that are not *.svc / *.int / *.e2e.spec.js (pure logic)
//   node scripts/run-tests.mjs svc             *.svc.spec.js (services with in-memory fakes, libs/testing/src/fakes)
//   node scripts/run-tests.mjs int             *.int.spec.js (real PostgreSQL, Redis, RabbitMQ)
//   node scripts/run-tests.mjs e2e             *.e2e.spec.js (the apps started as processes)
//   node scripts/run-tests.mjs <substring>     files whose path contains the substring
//   node scripts/run-tests.mjs int persistence tiers and substrings combine: the int tests under persistence
//   node scripts/run-tests.mjs --project libs/infrastructure/stock [unit ...]
//                                              only that project's tests (each Nx `test` target runs this)
//   node scripts/run-tests.mjs --list [...]    only print the selected files, in run order
//
// Files run one at a time (concurrency 1: suites share real servers), each in its own process. Every suite
// isolates itself (own database / vhost / key prefix); this runner sets nothing up.
// The LAST line of output is always `N passed, N failed` (CI reads it); exit code 1 if anything failed or if
// no test ran at all.
import { readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const TOP_DIRS = ['apps', 'libs', 'web', 'tools', 'e2e'];

const tierOf = (file) =>
  file.endsWith('.e2e.spec.js') ? 'e2e' : file.endsWith('.int.spec.js') ? 'int' : file.endsWith('.svc.spec.js') ? 'svc' : 'unit';
const TIER_ORDER = { unit: 0, svc: 1, int: 2, e2e: 3 };

function findSpecs(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') return out;
    throw error;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findSpecs(path, out);
    else if (entry.isFile() && entry.name.endsWith('.spec.js')) out.push(path);
  }
  return out;
}

// Tier words (unit/int/e2e) choose tiers, other words are path substrings; a file must match one of the given
// tiers (if any) and one of the given substrings (if any): `int persistence` = the persistence int tests.
const TIERS = new Set(['unit', 'svc', 'int', 'e2e']);
const argv = process.argv.slice(2).filter((arg) => arg !== '--');
const listOnly = argv.includes('--list');
const projectAt = argv.indexOf('--project');
const project = projectAt >= 0 ? argv[projectAt + 1]?.replace(/\/+$/, '') : undefined;
if (projectAt >= 0 && !project) throw new Error('run-tests: --project needs a project root, e.g. --project libs/infrastructure/stock');
const args = argv.filter((arg, at) => arg !== '--list' && (projectAt < 0 || (at !== projectAt && at !== projectAt + 1)));
const tierFilters = args.filter((arg) => TIERS.has(arg));
const pathFilters = args.filter((arg) => !TIERS.has(arg));
function selected(file) {
  const path = relative(root, file).split(sep).join('/');
  return (
    (project === undefined || relative(dist, file).split(sep).join('/').startsWith(`${project}/`)) &&
    (tierFilters.length === 0 || tierFilters.includes(tierOf(file))) &&
    (pathFilters.length === 0 || pathFilters.some((filter) => path.includes(filter)))
  );
}

// scripts/build.mjs rebuilds dist/ from scratch, so every compiled spec here has a living source.
const files = TOP_DIRS.flatMap((top) => findSpecs(join(dist, top)))
  .filter(selected)
  .sort((a, b) => TIER_ORDER[tierOf(a)] - TIER_ORDER[tierOf(b)] || a.localeCompare(b));

const perTier = { unit: 0, svc: 0, int: 0, e2e: 0 };
for (const file of files) perTier[tierOf(file)] += 1;
console.log(
  `run-tests: ${files.length} file(s) (${perTier.unit} unit, ${perTier.svc} svc, ${perTier.int} int, ${perTier.e2e} e2e)` +
    (project ? ` in ${project}` : '') +
    (args.length ? ` selected by: ${args.join(' ')}` : ''),
);

if (listOnly) {
  for (const file of files) console.log(`  ${tierOf(file).padEnd(4)} ${relative(root, file)}`);
  process.exit(0);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
const fileSet = new Set(files);

if (files.length > 0) {
  const stream = run({ files, concurrency: 1, timeout: 15 * 60_000 });
  const reporter = spec();
  reporter.pipe(process.stdout, { end: false });
  const reporterDone = new Promise((done) => reporter.on('end', done));

  for await (const event of stream) {
    count(event);
    if (!reporter.write(event)) await new Promise((drained) => reporter.once('drain', drained));
  }
  reporter.end();
  await reporterDone;
}

// What Node 20.20 emits (checked with throwaway files): test:pass / test:fail for every test and every
// describe() (suites carry details.type === 'suite'), skip/todo tests as test:pass with skip/todo set.
// Each file also has a wrapper test named after the file's path; it is reported only when the file
// itself failed (threw while loading, exited non-zero without a failing test, timed out) or had no tests.
function count(event) {
  if (event.type !== 'test:pass' && event.type !== 'test:fail') return;
  const data = event.data;
  if (data.details?.type === 'suite') return;
  const isFileWrapper = data.name === data.file || fileSet.has(data.name);
  if (event.type === 'test:pass') {
    if (isFileWrapper) return;
    if (data.skip || data.todo) skipped += 1;
    else passed += 1;
    return;
  }
  if (data.todo) {
    skipped += 1; // a failing todo test does not fail the run (same rule as node --test)
    return;
  }
  failed += 1;
  failures.push(isFileWrapper ? `${relative(root, data.file ?? data.name)} (the file itself failed: load error, crash or timeout)` : `${relative(root, data.file ?? '')}: ${data.name}`);
}

if (failures.length > 0) {
  console.log('\nrun-tests: failed:');
  for (const failure of failures) console.log(`  - ${failure}`);
}
if (skipped > 0) console.log(`run-tests: ${skipped} skipped or todo`);
if (passed + failed === 0) console.log('run-tests: no test ran (nothing built, or nothing matched the filter)');
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || passed + failed === 0 ? 1 : 0;
