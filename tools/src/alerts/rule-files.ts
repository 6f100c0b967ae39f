import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/** Repository root, from dist/tools/src/alerts. */
export const REPO_ROOT = resolve(__dirname, '../../../..');

export const PATHS = {
  rules: 'infra/prometheus/alerts.yml',
  ruleTests: 'infra/prometheus/alerts.test.yml',
  prometheusConfig: 'infra/prometheus/prometheus.yml',
  compose: 'docker-compose.yml',
  runbooks: 'docs/operations.md',
} as const;

export interface AlertRule {
  alert: string;
  group: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** One `alert_rule_test` entry: which alert, and whether it expects it to fire. */
export interface AlertCase {
  alertname: string;
  testName: string;
  evalTime: string;
  expectsFiring: boolean;
}

export function readRepoFile(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}

export function readYaml(path: string): unknown {
  return parse(readRepoFile(path)) as unknown;
}

type Dict = Record<string, unknown>;
const isDict = (value: unknown): value is Dict => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const stringDict = (value: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(isDict(value) ? value : {}).map(([k, v]) => [k, String(v)]));

export function alertRules(): AlertRule[] {
  const doc = readYaml(PATHS.rules);
  return list(isDict(doc) ? doc['groups'] : undefined).flatMap((group) => {
    if (!isDict(group)) return [];
    return list(group['rules'])
      .filter((rule): rule is Dict => isDict(rule) && typeof rule['alert'] === 'string')
      .map((rule) => ({
        alert: String(rule['alert']),
        group: String(group['name']),
        expr: String(rule['expr']),
        for: rule['for'] === undefined ? undefined : String(rule['for']),
        labels: stringDict(rule['labels']),
        annotations: stringDict(rule['annotations']),
      }));
  });
}

export function alertCases(): AlertCase[] {
  const doc = readYaml(PATHS.ruleTests);
  return list(isDict(doc) ? doc['tests'] : undefined).flatMap((test) => {
    if (!isDict(test)) return [];
    return list(test['alert_rule_test'])
      .filter(isDict)
      .map((c) => ({
        alertname: String(c['alertname']),
        testName: String(test['name']),
        evalTime: String(c['eval_time']),
        expectsFiring: list(c['exp_alerts']).length > 0,
      }));
  });
}

/** The anchor GitHub (and most Markdown renderers) give a heading: lower case, spaces to dashes, punctuation dropped. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6}\s+(.+)$/.exec(line);
    if (heading?.[1]) anchors.add(headingAnchor(heading[1]));
  }
  return anchors;
}
