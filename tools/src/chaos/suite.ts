import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ARTIFACTS, REPO_ROOT } from '@seckill/testing';
import { replaceResults } from './docs-table';
import { runScenario, SALE, TIMING, type ScenarioResult } from './run-scenario';
import type { Scenario } from './scenario';
import { PrivateServers } from './servers/private-servers';
import { failureLines, renderMarkdown, renderText, timelineLines } from './table';

export interface SuiteIo {
  out: NodeJS.WritableStream;
  signal: AbortSignal;
  command: string;
  /** JSON path; undefined: artifacts/chaos/chaos-<timestamp>.json */
  jsonPath?: string;
  writeDocs: boolean;
}

export interface SuiteReport {
  startedAt: string;
  durationMs: number;
  command: string;
  host: { cpus: number; node: string };
  sale: typeof SALE;
  timing: typeof TIMING;
  ok: boolean;
  interrupted: boolean;
  scenarios: ScenarioResult[];
}

const DOC = join(REPO_ROOT, 'docs', 'reliability.md');

/**
 * The scenarios one after the other on one set of private servers (started first, removed last, also on
 * failure or Ctrl-C), each printed as it ends; then the table, the JSON and, if asked, the docs.
 */
export async function runSuite(scenarios: readonly Scenario[], io: SuiteIo): Promise<SuiteReport> {
  const t0 = Date.now();
  const log = (line: string) => io.out.write(`[chaos +${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  const results: ScenarioResult[] = [];
  log(`${scenarios.length} scenario(s): ${scenarios.map((s) => s.name).join(', ')}`);
  log('starting private PostgreSQL, Redis and RabbitMQ…');
  const servers = await PrivateServers.start(log);
  try {
    for (const [i, sc] of scenarios.entries()) {
      if (io.signal.aborted) break;
      log(`── ${i + 1}/${scenarios.length} ${sc.name}: ${sc.title}`);
      const r = await runScenario(sc, servers, { log, signal: io.signal });
      results.push(r);
      for (const c of r.checks) io.out.write(`    ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
      log(`${sc.name}: ${r.ok ? 'PASS' : 'FAIL'} in ${(r.durationMs / 1000).toFixed(1)} s`);
    }
  } finally {
    log('removing the private servers…');
    await servers.destroy();
  }

  const report: SuiteReport = {
    startedAt: new Date(t0).toISOString(),
    durationMs: Date.now() - t0,
    command: io.command,
    host: { cpus: availableParallelism(), node: process.version },
    sale: SALE,
    timing: TIMING,
    ok: results.length === scenarios.length && results.every((r) => r.ok),
    interrupted: io.signal.aborted,
    scenarios: results,
  };
  io.out.write(`\n${renderText(results)}\n`);
  const failures = failureLines(results);
  if (failures.length > 0) io.out.write(`\nfailed checks:\n${failures.join('\n')}\n`);
  const verdict = report.interrupted
    ? `interrupted after ${results.length} of ${scenarios.length} scenario(s)`
    : report.ok
      ? 'every scenario held'
      : `${results.filter((r) => !r.ok).length} of ${scenarios.length} scenario(s) failed`;
  io.out.write(`\nRESULT: ${verdict} (${(report.durationMs / 1000).toFixed(0)} s)\n`);

  const jsonPath = resolve(io.jsonPath ?? join(ARTIFACTS, 'chaos', `chaos-${report.startedAt.replace(/[:]/g, '-').replace(/\..*$/, '')}.json`));
  await mkdir(dirname(jsonPath), { recursive: true });
  await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  io.out.write(`json: ${jsonPath}\n`);

  if (io.writeDocs && !report.interrupted) {
    await writeFile(DOC, replaceResults(await readFile(DOC, 'utf8'), docsBlock(report)));
    io.out.write(`docs: ${DOC} (results table rewritten)\n`);
  }
  return report;
}

/** What goes between the markers of docs/reliability.md. */
export function docsBlock(report: Pick<SuiteReport, 'startedAt' | 'durationMs' | 'host' | 'scenarios' | 'command'>): string {
  const when = report.startedAt.replace('T', ' ').replace(/\..*$/, ' UTC');
  const failures = failureLines(report.scenarios, '  - ');
  return [
    `Last full run: ${when}, \`${report.command}\`, ${(report.durationMs / 60_000).toFixed(1)} min on ${report.host.cpus} cores (Node ${report.host.node}).`,
    '',
    renderMarkdown(report.scenarios),
    '',
    'Faults, moment by moment (seconds from the start of each sale):',
    '',
    ...timelineLines(report.scenarios).map((l) => `- ${l}`),
    ...(failures.length > 0 ? ['', 'Failed checks:', '', ...failures.map((l) => (l.startsWith('  - ') ? l : `- **${l.replace(/:$/, '')}**`))] : []),
  ].join('\n');
}
