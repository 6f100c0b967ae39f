export { createTestEnv, useInProcess, SHARED_SERVERS, TEST_JWT_SECRET, type TestEnv, type TestServers } from './test-env';
export { mintToken } from './tokens';
export { seedShoppers, seedSale, sql, type SaleSpec } from './seed';
export { AppProcess, freePort, REPO_ROOT, ARTIFACTS, type AppName } from './app-process';
export { PrivateRedis } from './private-redis';
export { ResultCollector } from './result-collector';
export { request, type JsonResponse } from './http-client';
export { burst, maxOverlap, type BurstResult } from './burst';
export { SocketClient, type Frame } from './socket-client';
