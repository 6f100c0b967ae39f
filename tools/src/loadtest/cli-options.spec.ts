import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capacityProblems, clientProcessesFor, DEFAULTS, FLAGS, HELP, isLoopback, parseOptions, UsageError } from './cli-options';

const fails = (argv: string[], message: RegExp) =>
  assert.throws(
    () => parseOptions(argv),
    (e: unknown) => e instanceof UsageError && message.test(e.message),
  );

describe('loadtest options', () => {
  it('defaults to the issue\'s sale: 20,000 shoppers, 1,000 units, all at once, self-hosted', () => {
    const o = parseOptions([]);
    assert.equal(o.shoppers, 20_000);
    assert.equal(o.stock, 1_000);
    assert.equal(o.pattern, 'burst');
    assert.equal(o.timeoutSeconds, 180);
    assert.deepEqual(o.targets, []);
    assert.equal(o.notifiers, 2);
    assert.equal(o.apis, 2);
    assert.equal(o.progress, true);
    assert.equal(o.retries, 5);
  });

  it('takes --retries from 0 (a 503 TRY_AGAIN is the last answer) to 20', () => {
    assert.equal(parseOptions(['--retries', '0']).retries, 0);
    assert.equal(parseOptions(['--retries=20']).retries, 20);
    fails(['--retries', '21'], /--retries must be between 0 and 20/);
    fails(['--retries', '-1'], /--retries needs a value|--retries must be/);
  });

  it('reads values after a space or an equals sign, with _ as thousands separator', () => {
    const o = parseOptions(['--shoppers', '5_000', '--stock=100', '--pattern', 'ramp', '--ramp-seconds=2.5', '--no-progress']);
    assert.deepEqual([o.shoppers, o.stock, o.pattern, o.rampSeconds, o.progress], [5000, 100, 'ramp', 2.5, false]);
  });

  it('names the flag that is wrong', () => {
    fails(['--shoppers', '0'], /--shoppers must be between 1 and 100000/);
    fails(['--shoppers', '1.5'], /--shoppers must be a whole number/);
    fails(['--stock', 'lots'], /--stock must be a number/);
    fails(['--pattern', 'wave'], /--pattern must be burst or ramp/);
    fails(['--timeout-seconds'], /--timeout-seconds needs a value/);
    fails(['--timeout-seconds', '--stock', '3'], /--timeout-seconds needs a value/);
    fails(['--frobnicate'], /unknown flag --frobnicate/);
    fails(['20000'], /unexpected argument "20000"/);
    fails(['--stock', '1', '--stock', '2'], /--stock given twice/);
    fails(['--allow-remote=yes'], /takes no value/);
    fails(['--app-log-level', 'loud'], /--app-log-level must be one of/);
  });

  it('takes --ramp-seconds only with the ramp pattern', () => {
    fails(['--ramp-seconds', '3'], /only applies to --pattern ramp/);
    assert.equal(parseOptions(['--pattern', 'ramp', '--ramp-seconds', '3']).rampSeconds, 3);
  });

  it('needs a notifier with a target, and keeps self-hosted flags for self-hosted runs', () => {
    fails(['--target', 'http://127.0.0.1:3000'], /--target needs --notifier/);
    fails(['--notifier', 'ws://127.0.0.1:8085'], /--notifier is only used with --target/);
    fails(['--target', 'http://127.0.0.1:3000', '--notifier', 'ws://127.0.0.1:8085', '--notifiers', '3'], /--notifiers only apply/);
    fails(['--target', 'ws://127.0.0.1:3000', '--notifier', 'ws://127.0.0.1:8085'], /--target .* must start with http/);
    fails(['--target', 'http://127.0.0.1:3000', '--notifier', 'http://127.0.0.1:8085'], /--notifier .* must start with ws/);
    const o = parseOptions(['--target', 'http://127.0.0.1:3000/,http://localhost:3002', '--notifier', 'ws://127.0.0.1:8085']);
    assert.deepEqual(o.targets, ['http://127.0.0.1:3000', 'http://localhost:3002']);
    assert.deepEqual(o.notifierUrls, ['ws://127.0.0.1:8085']);
  });

  it('refuses hosts other than loopback unless --allow-remote', () => {
    fails(['--target', 'http://10.1.2.3:3000', '--notifier', 'ws://127.0.0.1:8085'], /not loopback.*--allow-remote/);
    fails(['--target', 'http://127.0.0.1:3000', '--notifier', 'ws://shop.example.com'], /not loopback/);
    const o = parseOptions(['--target', 'http://10.1.2.3:3000', '--notifier', 'ws://10.1.2.3:8085', '--allow-remote']);
    assert.equal(o.allowRemote, true);
    assert.ok(isLoopback('http://127.0.0.1:1') && isLoopback('http://localhost') && isLoopback('ws://[::1]:8085') && isLoopback('http://127.9.8.7'));
    assert.ok(!isLoopback('http://128.0.0.1') && !isLoopback('http://localhost.example.com'));
  });

  it('runs the room comparison with --room: 200 admitted per second, joins over half the pre-queue, the baseline first', () => {
    const plain = parseOptions([]);
    assert.deepEqual([plain.room, plain.roomRate, plain.joinSeconds, plain.baseline], [false, 200, undefined, true]);
    const o = parseOptions(['--room', '--room-rate', '500', '--pre-queue-seconds=3', '--join-seconds', '1.5', '--no-baseline']);
    assert.deepEqual([o.room, o.roomRate, o.preQueueSeconds, o.joinSeconds, o.baseline], [true, 500, 3, 1.5, false]);
    assert.equal(parseOptions(['--room', '--pre-queue-seconds', '0', '--join-seconds', '0']).preQueueSeconds, 0);
  });

  it('makes the default pre-queue long enough for the joins: 5 s, or 1 s per 1,000 shoppers', () => {
    assert.equal(parseOptions(['--room', '--shoppers', '300']).preQueueSeconds, 5);
    assert.equal(parseOptions(['--room', '--shoppers', '5001']).preQueueSeconds, 6);
    assert.equal(parseOptions(['--room']).preQueueSeconds, 20, 'the default 20,000 shoppers join over 10 s: 2,000/s');
    assert.equal(parseOptions(['--room', '--pre-queue-seconds', '3']).preQueueSeconds, 3, 'unless given');
  });

  it('keeps the room\'s flags for --room runs, within the bounds the admin API takes', () => {
    fails(['--room-rate', '100'], /--room-rate only apply with --room/);
    fails(['--pre-queue-seconds', '2', '--no-baseline'], /--pre-queue-seconds, --no-baseline only apply with --room/);
    fails(['--room', '--room-rate', '0'], /--room-rate must be between 1 and 100000/);
    fails(['--room', '--room-rate', '100001'], /--room-rate must be between 1 and 100000/);
    fails(['--room', '--room-rate', '2.5'], /--room-rate must be a whole number/);
    fails(['--room', '--pre-queue-seconds', '-1'], /--pre-queue-seconds needs a value|--pre-queue-seconds must be/);
    fails(['--room', '--pre-queue-seconds', '1.5'], /--pre-queue-seconds must be a whole number/);
    fails(['--room=yes'], /--room takes no value/);
    fails(['--room', '--pre-queue-seconds', '30', '--timeout-seconds', '30'], /leaves no time for the sale/);
  });

  it('never pools more connections than shoppers', () => {
    fails(['--shoppers', '10', '--http-connections', '11'], /exceeds --shoppers/);
  });

  it('documents every flag in --help, with its default', () => {
    assert.equal(parseOptions(['--help']).help, true);
    assert.equal(parseOptions(['-h', '--shoppers', '0']).help, true, '--help wins over a bad value');
    for (const f of FLAGS) assert.ok(HELP.includes(`--${f.name}`), `--${f.name} in the help`);
    assert.match(HELP, /default 20000/);
    assert.match(HELP, /OPERATOR TOOL/);
  });
});

describe('client processes and the open-file budget', () => {
  it('uses enough processes that each stays within 60% of the file limit, at least two', () => {
    assert.equal(clientProcessesFor({ ...DEFAULTS }, 20_000), 4, '20,000 sockets + 20,000 connections at 12,000 per process');
    assert.equal(clientProcessesFor({ ...DEFAULTS, httpConnections: 100 }, 20_000), 2);
    assert.equal(clientProcessesFor({ ...DEFAULTS, shoppers: 1 }, 20_000), 1);
    assert.equal(clientProcessesFor({ ...DEFAULTS, clientProcesses: 7 }, 20_000), 7);
    assert.equal(clientProcessesFor({ ...DEFAULTS }, 1024), 32, 'capped');
  });

  it('says up front when a notifier or an order-api would run out of files', () => {
    assert.deepEqual(capacityProblems({ ...DEFAULTS }, 4, 20_000), []);
    assert.match(capacityProblems({ ...DEFAULTS, notifiers: 1 }, 4, 20_000).join(), /each notifier would hold 20000 sockets/);
    assert.match(capacityProblems({ ...DEFAULTS, apis: 1 }, 4, 20_000).join(), /each order-api would hold 20000 connections/);
    assert.match(capacityProblems({ ...DEFAULTS }, 1, 20_000).join(), /each client process would hold 40000/);
    assert.deepEqual(capacityProblems({ ...DEFAULTS, notifiers: 1, targets: ['http://127.0.0.1:3000'] }, 4, 20_000), [], 'a target\'s notifiers are not ours to size');
  });
});
