import assert from 'node:assert/strict';
import { posix } from 'node:path';
import { describe, it } from 'node:test';
import { promtool } from './promtool';
import { alertCases, alertRules, markdownAnchors, PATHS, readRepoFile, readYaml } from './rule-files';

describe('Prometheus alerting rules, checked by promtool', () => {
  it('alerts.yml is valid', () => {
    const run = promtool('check', 'rules', PATHS.rules);
    assert.equal(run.code, 0, run.output);
  });

  it('prometheus.yml is valid and loads the rules (targets need not resolve)', () => {
    const run = promtool('check', 'config', PATHS.prometheusConfig);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /alerts\.yml/, `promtool did not check the rule file:\n${run.output}`);
  });

  it('every unit test in alerts.test.yml passes', () => {
    const run = promtool('test', 'rules', PATHS.ruleTests);
    assert.equal(run.code, 0, run.output);
  });
});

describe('what the alerts promise an operator', () => {
  const rules = alertRules();
  const cases = alertCases();

  it('reads the alerts and their cases (a parse that finds nothing would pass every check below)', () => {
    assert.ok(rules.length >= 10, `only ${rules.length} alerts read from ${PATHS.rules}`);
    assert.ok(cases.length >= 2 * rules.length, `only ${cases.length} cases read from ${PATHS.ruleTests}`);
  });

  it('each alert has a case where it fires and one where it must not', () => {
    const missing = rules.flatMap(({ alert }) => {
      const mine = cases.filter((c) => c.alertname === alert);
      return [
        ...(mine.some((c) => c.expectsFiring) ? [] : [`${alert}: no case where it fires`]),
        ...(mine.some((c) => !c.expectsFiring) ? [] : [`${alert}: no case where it stays silent`]),
      ];
    });
    assert.deepEqual(missing, []);
  });

  it('every case tests an alert that exists (a renamed alert leaves no silent, always-passing case behind)', () => {
    const names = new Set(rules.map((r) => r.alert));
    assert.deepEqual(cases.filter((c) => !names.has(c.alertname)).map((c) => `${c.testName} @ ${c.evalTime}: ${c.alertname}`), []);
  });

  it('names are unique', () => {
    const names = rules.map((r) => r.alert);
    assert.deepEqual(names.filter((name, i) => names.indexOf(name) !== i), []);
  });

  it('each alert waits (`for:`), says how bad it is and explains itself', () => {
    const problems = rules.flatMap((r) => [
      ...(r.for === undefined ? [`${r.alert}: no for:`] : []),
      ...(['warning', 'critical'].includes(r.labels['severity'] ?? '') ? [] : [`${r.alert}: severity ${r.labels['severity']}`]),
      ...['summary', 'description', 'runbook'].filter((key) => !r.annotations[key]).map((key) => `${r.alert}: no ${key}`),
      ...(r.annotations['description']?.includes('{{ $labels.') ? [] : [`${r.alert}: the description names no label value`]),
    ]);
    assert.deepEqual(problems, []);
  });

  it('each runbook points at a section of docs/operations.md', () => {
    const anchors = markdownAnchors(readRepoFile(PATHS.runbooks));
    const broken = rules
      .map((r) => ({ alert: r.alert, runbook: r.annotations['runbook'] ?? '' }))
      .filter(({ runbook }) => {
        const [file, anchor] = runbook.split('#');
        return file !== PATHS.runbooks || !anchor || !anchors.has(anchor);
      })
      .map(({ alert, runbook }) => `${alert}: ${runbook}`);
    assert.deepEqual(broken, []);
  });
});

describe('the compose Prometheus loads the rules', () => {
  it('prometheus.yml names alerts.yml and docker-compose.yml mounts it beside prometheus.yml', () => {
    const config = readYaml(PATHS.prometheusConfig) as { rule_files?: unknown };
    assert.deepEqual(config.rule_files, ['alerts.yml']);

    const compose = readYaml(PATHS.compose) as { services?: { prometheus?: { volumes?: unknown } } };
    const volumes = compose.services?.prometheus?.volumes;
    assert.ok(Array.isArray(volumes), 'the prometheus service has no volumes');
    const mounts = new Map(
      volumes.map(String).map((volume) => {
        const [source = '', target = ''] = volume.split(':');
        return [source.replace(/^\.\//, ''), target] as const;
      }),
    );
    const configTarget = mounts.get(PATHS.prometheusConfig);
    assert.ok(configTarget, `${PATHS.prometheusConfig} is not mounted`);
    // Prometheus resolves rule_files relative to its config file, in the container as here.
    assert.equal(mounts.get(PATHS.rules), posix.join(posix.dirname(configTarget), 'alerts.yml'));
  });
});
