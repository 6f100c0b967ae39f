import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ownDatabase, type OwnDatabase } from './own-database';
import { UserRepository } from './users.repository';

let env: OwnDatabase;
let users: UserRepository;

before(async () => {
  env = await ownDatabase('users');
  users = new UserRepository(env.db);
});
after(() => env.cleanup());

describe('UserRepository', () => {
  it('creates a shopper and finds it by username', async () => {
    const created = await users.createShopper('alice', 'hash-a');
    assert.notEqual(created, 'taken');
    assert.deepEqual(created, { id: (created as { id: number }).id, username: 'alice', passwordHash: 'hash-a', role: 'shopper' });
    assert.equal(typeof (created as { id: number }).id, 'number');
    assert.deepEqual(await users.findByUsername('alice'), created);
  });

  it('answers null for an unknown username (usernames are case-sensitive)', async () => {
    await users.createShopper('Bob', 'h');
    assert.equal(await users.findByUsername('nobody'), null);
    assert.equal(await users.findByUsername('bob'), null);
  });

  it("answers 'taken' for an existing username and keeps the first account", async () => {
    await users.createShopper('carol', 'first');
    assert.equal(await users.createShopper('carol', 'second'), 'taken');
    assert.equal((await users.findByUsername('carol'))?.passwordHash, 'first');
  });

  it('lets exactly one of 20 concurrent registrations of one username through', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => users.createShopper('dave', `h${i}`)));
    const created = results.filter((r) => r !== 'taken');
    assert.equal(created.length, 1);
    assert.equal(results.filter((r) => r === 'taken').length, 19);
    assert.deepEqual(await users.findByUsername('dave'), created[0]);
  });

  it('creates the admin, then replaces its password hash on every later start (same row)', async () => {
    assert.equal(await users.applyAdmin('root', 'h1'), 'created');
    const created = await users.findByUsername('root');
    assert.deepEqual(created, { id: created!.id, username: 'root', passwordHash: 'h1', role: 'admin' });
    assert.equal(await users.applyAdmin('root', 'h2'), 'updated');
    assert.deepEqual(await users.findByUsername('root'), { ...created, passwordHash: 'h2' });
    assert.equal(await users.createShopper('root', 'h3'), 'taken');
  });

  it('does not turn an existing shopper into the admin', async () => {
    await users.createShopper('eve', 'shopper-hash');
    assert.equal(await users.applyAdmin('eve', 'admin-hash'), 'name-taken');
    const eve = await users.findByUsername('eve');
    assert.equal(eve?.role, 'shopper');
    assert.equal(eve?.passwordHash, 'shopper-hash');
  });

  it('creates the admin once when 10 instances start at the same time', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => users.applyAdmin('boss', `h${i}`)));
    assert.equal(results.filter((r) => r === 'created').length, 1);
    assert.equal(results.filter((r) => r === 'updated').length, 9);
    const rows: unknown[] = await env.db.query(`SELECT 1 FROM users WHERE username = 'boss'`);
    assert.equal(rows.length, 1);
  });
});
