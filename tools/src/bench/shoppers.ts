import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken, seedShoppers, TEST_JWT_SECRET } from '@seckill/testing';

export interface Shoppers {
  users: { id: number; username: string }[];
  /** One access token per line, in the order of `users` (wrk's script reads it). */
  tokensFile: string;
  /** Removes the token file. */
  dispose(): void;
}

/**
 * Seeds `count` shoppers in a test database and mints their tokens with the test secret (as an operator tool
 * would with the configured one): distinct, valid users whose tokens order-api verifies on every request.
 */
export async function prepareShoppers(databaseUrl: string, count: number, prefix: string): Promise<Shoppers> {
  const users = await seedShoppers(databaseUrl, count, prefix);
  const dir = mkdtempSync(join(tmpdir(), 'seckill-bench-tokens-'));
  const tokensFile = join(dir, 'tokens.txt');
  writeFileSync(tokensFile, `${users.map((u) => mintToken(TEST_JWT_SECRET, u, 4 * 3600)).join('\n')}\n`);
  return { users, tokensFile, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
