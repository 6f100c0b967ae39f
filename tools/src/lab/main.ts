import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { ARTIFACTS, REPO_ROOT } from '@seckill/testing';
import { replaceResults } from '../chaos/docs-table';
import { HELP, parseOptions, UsageError, type LabOptions } from './cli-options';
import { Lab } from './lab';
import { GATEWAY, HOSTS, namespaceOf } from './layout';
import { otherLab, releaseLock, removeStaleLock, takeLock } from './lock';
import { describeLeftovers, findLeftovers, isEmpty, removeLab } from './netns';
import { problems, thisMachine } from './preconditions';
import { failureLines, markdownReport, MARKERS, observationLines, renderText, type RunHeader } from './report';
import { runScenario, type ScenarioResult } from './run-scenario';
import { SCENARIOS } from './scenarios';

const DOC = join(REPO_ROOT, 'docs', 'scale-out.md');

/**
 * `npm run lab [-- flags]`. Exit codes: 0 every invariant held, 1 one did not (or the lab failed), 2 bad flags or
 * a missing precondition, 130 interrupted, 143 terminated.
 */
async function main(): Promise<number> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  let o: LabOptions;
  try {
    o = parseOptions(argv, SCENARIOS.map((s) => s.name));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`lab: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (o.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (o.list) {
    for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(18)} ${s.title}\n${''.padEnd(19)}${s.expected}\n\n`);
    return 0;
  }
  const missing = problems(thisMachine());
  if (missing.length > 0) {
    process.stderr.write(`lab: cannot run here:\n${missing.map((m) => `  - ${m}`).join('\n')}\n`);
    return 2;
  }
  const running = otherLab();
  if (running !== undefined) {
    process.stderr.write(`lab: another lab is running (pid ${running}); one at a time on a machine (stop it, or wait)\n`);
    return 2;
  }
  removeStaleLock();

  const t0 = Date.now();
  const stamp = new Date(t0).toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
  const outDir = resolve(o.out ?? join(ARTIFACTS, 'lab', stamp));
  const log = (line: string) => process.stdout.write(`[lab +${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

  const leftovers = findLeftovers();
  if (!isEmpty(leftovers)) {
    log(`removing what an earlier lab left: ${describeLeftovers(leftovers)}`);
    removeLab(leftovers);
  }
  if (o.down) {
    if (isEmpty(leftovers)) log('nothing to remove');
    return 0;
  }

  takeLock();
  const abort = new AbortController();
  let exitCode = 0;
  let lab: Lab | undefined;
  // Whatever happens (an uncaught error, process.exit), the namespaces and their processes go with us.
  process.once('exit', () => {
    lab?.downSync();
    releaseLock();
  });
  const stop = (signal: 'SIGINT' | 'SIGTERM', code: number) => () => {
    if (abort.signal.aborted) process.exit(code);
    process.stderr.write(`\nlab: ${signal}; tearing the lab down (again to quit at once; the exit hook still removes it)\n`);
    exitCode = code;
    abort.abort();
  };
  process.on('SIGINT', stop('SIGINT', 130));
  process.on('SIGTERM', stop('SIGTERM', 143));

  const selected = o.only.length > 0 ? SCENARIOS.filter((s) => o.only.includes(s.name)) : SCENARIOS;
  const results: ScenarioResult[] = [];
  try {
    lab = new Lab({ log, signal: abort.signal, logDir: join(outDir, 'logs') });
    log(`building the lab (logs in ${join(outDir, 'logs')})`);
    await lab.up();
    log(`lab up in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    for (const [i, sc] of selected.entries()) {
      if (abort.signal.aborted) break;
      log(`── ${i + 1}/${selected.length} ${sc.name}: ${sc.title}`);
      const notes: string[] = [];
      const previous = results.at(-1);
      if (previous && !previous.ok) {
        // A failed scenario may leave the lab in a state nobody knows: this one starts on a whole lab again.
        log(`${previous.name} failed: repairing the lab so that ${sc.name} starts on a whole one`);
        notes.push(`before it (${previous.name} had failed): ${(await lab.repair()).join('; ')}`);
      }
      const r = await runScenario(sc, lab, o, { log, signal: abort.signal }, notes);
      results.push(r);
      for (const c of r.checks) process.stdout.write(`    ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
      for (const c of r.observations) process.stdout.write(`    ${c.ok ? 'ok  ' : 'note'}  (load tool) ${c.name}: ${c.detail}\n`);
      log(`${sc.name}: ${r.ok ? 'PASS' : 'FAIL'} in ${(r.durationMs / 1000).toFixed(0)} s`);
    }
  } catch (err) {
    if (!abort.signal.aborted) {
      process.stderr.write(`lab: ${err instanceof Error ? (process.env.LAB_DEBUG ? (err.stack ?? err.message) : err.message) : String(err)}\n`);
      exitCode = 1;
    }
  }

  if (results.length > 0) {
    const header: RunHeader = {
      startedAt: new Date(t0).toISOString(),
      durationMs: Date.now() - t0,
      command: ['npm run lab', ...(argv.length ? ['--', ...argv] : [])].join(' '),
      cpus: availableParallelism(),
      node: process.version,
      shoppers: o.shoppers,
      stock: o.stock,
      rampSeconds: o.rampSeconds,
      holdSeconds: o.holdSeconds,
    };
    process.stdout.write(`\n${renderText(results)}\n`);
    const observed = observationLines(results);
    if (observed.length) process.stdout.write(`\nalso observed:\n${observed.map((l) => `  ${l}`).join('\n')}\n`);
    const failures = failureLines(results);
    if (failures.length) process.stdout.write(`\nfailed checks:\n${failures.join('\n')}\n`);
    const markdown = markdownReport(header, results);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'results.md'), `${markdown}\n`);
    writeFileSync(join(outDir, 'results.json'), `${JSON.stringify({ ...header, options: o, ok: results.every((r) => r.ok), scenarios: results }, null, 2)}\n`);
    process.stdout.write(`\nresults: ${join(outDir, 'results.md')} and results.json\n`);
    if (o.writeDocs && results.length === SCENARIOS.length && !abort.signal.aborted) {
      writeFileSync(DOC, replaceResults(readFileSync(DOC, 'utf8'), markdown, MARKERS));
      process.stdout.write(`docs: ${DOC} (results block rewritten)\n`);
    }
  }
  const passed = results.length === selected.length && results.every((r) => r.ok);
  if (exitCode === 0 && !passed) exitCode = 1;
  process.stdout.write(`\nRESULT: ${abort.signal.aborted ? 'interrupted' : exitCode === 0 ? 'every scenario held' : `${results.filter((r) => !r.ok).length} of ${selected.length} scenario(s) failed`}\n`);

  if (o.keep && lab && !abort.signal.aborted) {
    process.stdout.write(
      [
        '',
        `the lab stays up (--keep); Ctrl-C tears it down. From this namespace (${GATEWAY}):`,
        ...HOSTS.map((h) => `  ${h.name.padEnd(10)} ${h.address.padEnd(11)} ip netns exec ${namespaceOf(h)} …`),
        `  product env: ${Object.entries(lab.appEnv()).filter(([k]) => /URL|NODES|SECRET|ADMIN/.test(k)).map(([k, v]) => `${k}=${v}`).join(' ')}`,
        '',
      ].join('\n'),
    );
    const verdict = exitCode;
    await new Promise<void>((r) => abort.signal.addEventListener('abort', () => r(), { once: true }));
    // Ctrl-C is how a kept lab ends: the scenarios' verdict stands.
    exitCode = verdict;
  }
  log('tearing the lab down…');
  await lab?.down().catch((err: unknown) => process.stderr.write(`lab: teardown: ${String(err)}\n`));
  releaseLock();
  log('lab removed');
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`lab: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
