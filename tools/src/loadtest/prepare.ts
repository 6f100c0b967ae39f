import { randomUUID } from 'node:crypto';
import type { SaleItem, WaitingRoomOnCreate } from '@seckill/contracts';
import { mintToken, request, seedShoppers } from '@seckill/testing';
import type { LoadtestOptions } from './cli-options';
import type { AgentInit, Shopper } from './protocol';
import { BACKOFF_FIRST_MS, BACKOFF_MAX_MS } from './retry';
import type { SystemUnderTest } from './system';

/**
 * Creates the sale the way an operator does: log in as admin, POST /api/admin/seckill/goods. Live from now unless
 * `at` says when; `at.waitingRoom` creates it with its waiting room on.
 */
export async function createSale(
  sys: SystemUnderTest,
  stock: number,
  runId: string,
  liveForSeconds: number,
  at?: { startTime: string; endTime: string; waitingRoom?: WaitingRoomOnCreate },
): Promise<SaleItem> {
  const api = sys.apis[0]!;
  const login = await request<{ accessToken?: string }>(api, 'POST', '/api/auth/login', { json: sys.admin }).catch((err: unknown) => {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach order-api at ${api}: ${cause?.code ?? cause?.message ?? String(err)}`);
  });
  if (login.status !== 200 || !login.body.accessToken) {
    throw new Error(`admin login as "${sys.admin.username}" failed (${login.status}); set ADMIN_USERNAME / ADMIN_PASSWORD of the target`);
  }
  const now = Date.now();
  const created = await request<SaleItem>(api, 'POST', '/api/admin/seckill/goods', {
    token: login.body.accessToken,
    json: {
      name: `loadtest ${runId}`,
      price: '100.00',
      seckillPrice: '1.00',
      stock,
      // Live from now until well after the run, so every order of the run falls inside the window.
      startTime: at?.startTime ?? new Date(now - 1000).toISOString(),
      endTime: at?.endTime ?? new Date(now + (liveForSeconds + 3600) * 1000).toISOString(),
      ...(at?.waitingRoom ? { waitingRoom: at.waitingRoom } : {}),
    },
  });
  if (created.status !== 201) throw new Error(`creating the sale failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

export interface PreparedShopper {
  userId: number;
  username: string;
  token: string;
}

/**
 * Inserts the shoppers in one statement and mints their tokens with the system's secret: registering 20,000
 * accounts through the API would spend minutes hashing passwords nobody will type, and measure that instead.
 */
export async function prepareShoppers(sys: SystemUnderTest, count: number, runId: string, ttlSeconds: number): Promise<PreparedShopper[]> {
  const users = await seedShoppers(sys.databaseUrl, count, `loadtest-${runId}`);
  return users.map((u) => ({ userId: u.id, username: u.username, token: mintToken(sys.jwtSecret, u, ttlSeconds) }));
}

/** When each shopper clicks, in ms after the fire instant: all at 0, or evenly spread over the ramp. */
export function arrivalOffsets(count: number, pattern: LoadtestOptions['pattern'], rampSeconds: number): number[] {
  if (pattern === 'burst') return new Array<number>(count).fill(0);
  return Array.from({ length: count }, (_, i) => (i * rampSeconds * 1000) / count);
}

/**
 * Deals the shoppers to the client processes round-robin, and within each process alternates order-api and
 * notifier instances, so every process, every api and every notifier carries an even share of the load.
 */
export function dealShoppers(
  shoppers: readonly PreparedShopper[],
  opts: { clients: number; apis: readonly string[]; notifiers: readonly string[]; offsets: readonly number[] },
): Shopper[][] {
  const shares: Shopper[][] = Array.from({ length: opts.clients }, () => []);
  shoppers.forEach((s, i) => {
    const round = Math.floor(i / opts.clients);
    shares[i % opts.clients]!.push({
      index: i,
      userId: s.userId,
      token: s.token,
      requestId: randomUUID(),
      api: opts.apis[round % opts.apis.length]!,
      notifier: opts.notifiers[round % opts.notifiers.length]!,
      offsetMs: opts.offsets[i] ?? 0,
    });
  });
  return shares;
}

export function agentInits(
  shares: Shopper[][],
  o: Pick<LoadtestOptions, 'httpConnections' | 'openConcurrency' | 'pollIntervalMs' | 'retries'>,
  itemId: number,
  deadline: number,
): AgentInit[] {
  const clients = shares.length;
  return shares.map((shoppers, client) => ({
    type: 'init',
    client,
    itemId,
    shoppers,
    poolSize: o.httpConnections === 0 ? 0 : Math.max(1, Math.round(o.httpConnections / clients)),
    openConcurrency: Math.max(1, Math.ceil(o.openConcurrency / clients)),
    pollIntervalMs: o.pollIntervalMs,
    retry: { retries: o.retries, firstMs: BACKOFF_FIRST_MS, maxMs: BACKOFF_MAX_MS },
    deadline,
  }));
}
