import type { LoginAnswer, OpsOverview, ReplayResult, WaitingRoom, WaitingRoomSettings } from '@seckill/contracts';
import { apiClient } from '../web-common/http.js';

const call = apiClient({
  unreachable: 'order-api cannot be reached',
  // An overview reads PostgreSQL, Redis and the management API; longer than this and the next poll is due.
  timeoutMs: 10_000,
});

/** Every call the console makes. Only admins get data; shoppers are answered 403 FORBIDDEN by the server. */
export const opsApi = {
  login: (username: string, password: string) => call<LoginAnswer>('POST', '/api/auth/login', { json: { username, password } }),
  overview: (token: string) => call<OpsOverview>('GET', '/api/admin/ops/overview', { token }),
  replay: (token: string, parkingLot: string) => call<ReplayResult>('POST', `/api/admin/ops/parking-lots/${encodeURIComponent(parkingLot)}/replay`, { token }),
  /** Takes effect at once, also mid-sale. */
  setWaitingRoom: (token: string, seckillGoodId: number, settings: WaitingRoomSettings) =>
    call<WaitingRoom>('PUT', `/api/admin/seckill/goods/${seckillGoodId}/waiting-room`, { token, json: settings }),
};
