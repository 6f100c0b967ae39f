import { createHmac } from 'node:crypto';

/** Mints an HS256 access token as order-api would (operator tooling and tests; needs the configured secret). */
export function mintToken(secret: string, user: { id: number; username: string; role?: 'shopper' | 'admin' }, ttlSeconds = 3600): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = enc({ alg: 'HS256', typ: 'JWT' });
  const body = enc({ sub: String(user.id), username: user.username, role: user.role ?? 'shopper', iat: now, exp: now + ttlSeconds });
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}
