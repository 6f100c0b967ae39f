import { randomBytes } from 'node:crypto';
import { splitUrlList } from '@seckill/config';
import { PrivateRedis } from './private-redis';
import { sql } from './seed';
import { SHARED_SERVERS, type TestServers } from './test-env';

/**
 * Servers that demand passwords, as production does (NODE_ENV=production refuses URLs without one): a PostgreSQL
 * role with a password on the shared server, a RabbitMQ user with a password on the shared broker, and a
 * redis-server of the test's own with requirepass. `servers` feeds createTestEnv / startProduct; `cleanup`
 * removes the role and the user and stops the Redis (after the environment itself is gone).
 */
export class ProtectedServers {
  private constructor(
    readonly servers: TestServers,
    private readonly role: string,
    private readonly user: string,
    readonly redis: PrivateRedis,
  ) {}

  static async start(name: string): Promise<ProtectedServers> {
    const id = `${name.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${randomBytes(4).toString('hex')}`;
    const password = () => randomBytes(18).toString('base64url');
    const role = `seckill_test_${id}`;
    const user = `seckill-test-${id}`;
    const dbPassword = password();
    const mqPassword = password();
    // The password is a literal in DDL (no parameters there); base64url holds no quote.
    await sql(SHARED_SERVERS.database, `CREATE ROLE "${role}" LOGIN CREATEDB PASSWORD '${dbPassword}'`);
    let redis: PrivateRedis | undefined;
    try {
      await management('PUT', `/api/users/${encodeURIComponent(user)}`, { password: mqPassword, tags: 'administrator' });
      redis = await PrivateRedis.start({ password: password() });
      const db = new URL(SHARED_SERVERS.database);
      db.username = role;
      db.password = dbPassword;
      // Every node of a cluster list gets the same user (users are cluster-wide).
      const withUser = (list: string) =>
        splitUrlList(list)
          .map((node) => {
            const u = new URL(node);
            u.username = user;
            u.password = mqPassword;
            return u.toString().replace(/\/$/, '');
          })
          .join(',');
      const servers: TestServers = { database: db.toString(), redis: redis.url, amqp: withUser(SHARED_SERVERS.amqp), management: withUser(SHARED_SERVERS.management) };
      return new ProtectedServers(servers, role, user, redis);
    } catch (error) {
      await redis?.stop();
      await management('DELETE', `/api/users/${encodeURIComponent(user)}`).catch(() => undefined);
      await sql(SHARED_SERVERS.database, `DROP ROLE IF EXISTS "${role}"`);
      throw error;
    }
  }

  async cleanup(): Promise<void> {
    await this.redis.stop();
    await management('DELETE', `/api/users/${encodeURIComponent(this.user)}`, undefined, [404]);
    await sql(SHARED_SERVERS.database, `DROP ROLE IF EXISTS "${this.role}"`);
  }
}

/** The shared broker's management API as its administrator (guest in development). */
async function management(method: string, path: string, body?: object, okStatuses: number[] = []): Promise<void> {
  const base = new URL(splitUrlList(SHARED_SERVERS.management)[0] ?? SHARED_SERVERS.management);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
  base.username = '';
  base.password = '';
  const res = await fetch(new URL(path, base), {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok && !okStatuses.includes(res.status)) throw new Error(`RabbitMQ management ${method} ${path}: ${res.status} ${await res.text()}`);
}
