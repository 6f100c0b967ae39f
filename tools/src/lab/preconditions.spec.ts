import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { problems, type Machine } from './preconditions';

const ready = (over: Partial<Machine> = {}): Machine => ({
  platform: 'linux',
  uid: 0,
  onPath: () => true,
  executable: () => true,
  postgresBins: () => ['/usr/lib/postgresql/15/bin'],
  exists: () => true,
  ...over,
});

describe('lab preconditions', () => {
  it('a Debian machine with everything installed, as root, is fine', () => {
    assert.deepEqual(problems(ready()), []);
  });

  it('says what is missing and which package installs it', () => {
    const found = problems(
      ready({
        uid: 1000,
        onPath: (name) => name !== 'redis-server' && name !== 'ip',
        executable: (path) => !path.includes('rabbitmq'),
        postgresBins: () => [],
      }),
    );
    assert.equal(found.length, 6);
    assert.match(found[0]!, /must run as root/);
    assert.ok(found.includes('ip not found: apt-get install iproute2'));
    assert.ok(found.includes('redis-server not found: apt-get install redis-server'));
    assert.ok(found.some((p) => /rabbitmq-server not found: apt-get install rabbitmq-server/.test(p)));
    assert.ok(found.some((p) => /apt-get install postgresql-15/.test(p)));
  });

  it('a PostgreSQL directory without the server binaries does not count', () => {
    const found = problems(ready({ executable: (path) => !path.endsWith('/postgres') }));
    assert.deepEqual(found.length, 1);
    assert.match(found[0]!, /PostgreSQL server binaries/);
  });

  it('an unbuilt tree is named with the command that builds it', () => {
    assert.match(problems(ready({ exists: () => false }))[0]!, /not built .*node scripts\/build\.mjs/);
  });

  it('is Linux only', () => {
    assert.deepEqual(problems(ready({ platform: 'darwin' })), ['the lab needs Linux network namespaces; this is darwin']);
  });
});
