import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.schema';
import { amqpVhost, nodeAddress, rabbitmqVhost, splitUrlList, urlListProblems, withVhost } from './url-list';

const AMQP = { protocols: ['amqp:', 'amqps:'], sameVhost: true };

/** The lines of the ConfigError loadConfig throws for `env`. */
function refusal(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.message.split('\n').slice(1).map((l) => l.trim());
  }
  throw new Error('the configuration was accepted');
}

describe('URL lists (RABBITMQ_URL, RABBITMQ_MANAGEMENT_URL)', () => {
  it('splits at each comma that starts another URL, trimming around it; one URL is a list of one', () => {
    assert.deepEqual(splitUrlList('amqp://u:p@h1:5672/vh, amqp://u:p@h2:5672/vh ,amqps://u:p@h3/vh'), [
      'amqp://u:p@h1:5672/vh',
      'amqp://u:p@h2:5672/vh',
      'amqps://u:p@h3/vh',
    ]);
    assert.deepEqual(splitUrlList('amqp://guest:guest@127.0.0.1:5672'), ['amqp://guest:guest@127.0.0.1:5672']);
  });

  it('keeps a comma that is part of a URL (a password may hold one unescaped), so a single URL reads as before', () => {
    assert.deepEqual(splitUrlList('amqp://shop:pa,ss@mq:5672/sale'), ['amqp://shop:pa,ss@mq:5672/sale']);
    assert.deepEqual(splitUrlList('amqp://shop:pa,ss@h1/v,amqp://shop:pa,ss@h2/v'), ['amqp://shop:pa,ss@h1/v', 'amqp://shop:pa,ss@h2/v']);
    assert.equal(loadConfig({ RABBITMQ_URL: 'amqp://shop:pa,ss@mq:5672/sale' }).RABBITMQ_URL, 'amqp://shop:pa,ss@mq:5672/sale');
  });

  it('reads the vhost as amqplib does: unescaped, `/` when the path is empty', () => {
    assert.equal(amqpVhost('amqp://u:p@h:5672'), '/');
    assert.equal(amqpVhost('amqp://u:p@h:5672/'), '/');
    assert.equal(amqpVhost('amqp://u:p@h:5672/sale%2F1'), 'sale/1');
    assert.equal(amqpVhost('amqp://u:p@h:5672/%2F'), '/');
    assert.equal(rabbitmqVhost('amqp://u:p@h1/sale%2F1,amqp://u:p@h2/sale%2F1'), 'sale/1');
  });

  it('puts every node of a list behind one vhost, and shows nodes without their credentials', () => {
    assert.equal(withVhost('amqp://u:p@h1:5672,amqp://u:p@h2:5672/', 'test/1'), 'amqp://u:p@h1:5672/test%2F1,amqp://u:p@h2:5672/test%2F1');
    assert.equal(withVhost('amqp://u:p@h1:5672', 'v'), 'amqp://u:p@h1:5672/v');
    assert.equal(nodeAddress('amqp://ops:s3cret@mq-2.internal:5672/sale'), 'mq-2.internal:5672');
    assert.equal(nodeAddress('http://ops:s3cret@mq-2.internal/'), 'mq-2.internal');
    assert.equal(nodeAddress('nonsense'), '(not a URL)');
  });

  it('finds every problem of a list, each by its position and address, never its password', () => {
    assert.deepEqual(urlListProblems(['amqp://u:p@h1:5672/v', 'amqp://u:p@h2:5672/v'], AMQP), []);
    const problems = urlListProblems(['amqp://u:secret@h1:5672/v', 'http://u:secret@h2:15672', 'not a url', 'amqp://u:secret@h1:5672/v', ''], AMQP);
    assert.deepEqual(problems, [
      'node 2 of 5 (h2:15672) must start with amqp: or amqps:',
      'node 3 of 5 is not a URL (a list is whole URLs separated by commas: scheme://user:pass@host1:port/…,scheme://user:pass@host2:port/…)',
      'node 4 of 5 (h1:5672) repeats node 1',
      'node 5 of 5 is empty',
    ]);
    assert.ok(problems.every((p) => !p.includes('secret')));
  });

  it('refuses AMQP nodes that name different vhosts (one cluster is reached through one vhost)', () => {
    assert.deepEqual(urlListProblems(['amqp://u:p@h1/sale', 'amqp://u:p@h2', 'amqp://u:p@h3/sale'], AMQP), [
      'the nodes name different vhosts (node 1: "sale", node 2: "/", node 3: "sale"); every node of one cluster must be reached through the same vhost',
    ]);
    // `/` spelled two ways is one vhost.
    assert.deepEqual(urlListProblems(['amqp://u:p@h1', 'amqp://u:p@h2/%2F'], AMQP), []);
    // Management endpoints have no vhost: only their protocol is checked.
    assert.deepEqual(urlListProblems(['http://u:p@h1:15672/', 'https://u:p@h2/mgmt'], { protocols: ['http:', 'https:'] }), []);
  });

  it('loadConfig accepts a list for both variables and keeps it as given', () => {
    const c = loadConfig({
      RABBITMQ_URL: 'amqp://u:p@h1:5672/sale,amqp://u:p@h2:5672/sale,amqp://u:p@h3:5672/sale',
      RABBITMQ_MANAGEMENT_URL: 'http://u:p@h1:15672,http://u:p@h2:15672',
    });
    assert.equal(c.RABBITMQ_URL, 'amqp://u:p@h1:5672/sale,amqp://u:p@h2:5672/sale,amqp://u:p@h3:5672/sale');
    assert.equal(c.RABBITMQ_MANAGEMENT_URL, 'http://u:p@h1:15672,http://u:p@h2:15672');
  });

  it('loadConfig names the variable of a bad list, and the node', () => {
    assert.deepEqual(refusal({ RABBITMQ_URL: 'amqp://u:p@h1:5672/a,amqp://u:p@h2:5672/b' }), [
      'RABBITMQ_URL: the nodes name different vhosts (node 1: "a", node 2: "b"); every node of one cluster must be reached through the same vhost',
    ]);
    assert.deepEqual(refusal({ RABBITMQ_MANAGEMENT_URL: 'http://u:p@h1:15672,amqp://u:p@h2:15672' }), [
      'RABBITMQ_MANAGEMENT_URL: node 2 of 2 (h2:15672) must start with http: or https:',
    ]);
  });

  it('loadConfig answers a single bad URL as before lists existed', () => {
    assert.deepEqual(refusal({ RABBITMQ_URL: 'http://u:p@mq:5672' }), ['RABBITMQ_URL: must start with amqp: or amqps:']);
    assert.deepEqual(refusal({ RABBITMQ_URL: 'mq:5672' }), ['RABBITMQ_URL: must start with amqp: or amqps:']);
    // Before, a value that is no URL at all escaped as a bare TypeError naming no variable.
    assert.deepEqual(refusal({ RABBITMQ_MANAGEMENT_URL: 'not a url' }), ['RABBITMQ_MANAGEMENT_URL: Invalid url']);
    assert.deepEqual(refusal({ DATABASE_URL: 'not a url' }), ['DATABASE_URL: Invalid url']);
  });

  it('in production, checks the credentials of every node of a list', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'a-long-production-secret-value-of-32-bytes',
      DATABASE_URL: 'postgres://shop:pw@db:5432/seckill',
      REDIS_URL: 'redis://:pw@redis:6379',
      RABBITMQ_MANAGEMENT_URL: 'http://shop:pw@mq1:15672,http://shop:pw@mq2:15672',
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'long-password-1',
    };
    assert.equal(loadConfig({ ...production, RABBITMQ_URL: 'amqp://shop:pw@mq1/sale,amqp://shop:pw@mq2/sale' }).NODE_ENV, 'production');
    assert.deepEqual(refusal({ ...production, RABBITMQ_URL: 'amqp://shop:pw@mq1/sale,amqp://shop@mq2/sale' }), ['RABBITMQ_URL: must carry a password in production']);
    assert.deepEqual(refusal({ ...production, RABBITMQ_MANAGEMENT_URL: 'http://shop:pw@mq1:15672,http://guest:guest@mq2:15672', RABBITMQ_URL: 'amqp://shop:pw@mq1' }), [
      'RABBITMQ_MANAGEMENT_URL: guest credentials are refused in production',
    ]);
  });
});
