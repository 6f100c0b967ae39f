import type { ClientConfig, LoginAnswer, OrderAccepted, OrderResult, OrderView, Registered, RoomTicket, SaleItem } from '@seckill/contracts';
import { apiClient } from '../web-common/http.js';
import { observeServerDate } from './clock.js';

const call = apiClient({
  unreachable: 'The shop cannot be reached. Check your connection and try again.',
  // Countdowns run on the server's clock: every answer's Date header corrects a skewed local one.
  onResponse: (res) => observeServerDate(res.headers.get('date')),
});

/** Every order-api call the page makes, one function each (paths and shapes as in the contract). */
export const shopApi = {
  clientConfig: () => call<ClientConfig>('GET', '/api/client-config'),
  saleItems: () => call<SaleItem[]>('GET', '/api/seckill/goods'),
  register: (username: string, password: string) => call<Registered>('POST', '/api/auth/register', { json: { username, password } }),
  login: (username: string, password: string) => call<LoginAnswer>('POST', '/api/auth/login', { json: { username, password } }),
  /** `admissionToken`: the waiting room's, for an item whose room is on (left out of the body otherwise). */
  placeOrder: (token: string, seckillGoodId: number, requestId: string, admissionToken?: string) =>
    call<OrderAccepted>('POST', '/api/seckill/orders', { token, json: admissionToken === undefined ? { seckillGoodId, requestId } : { seckillGoodId, requestId, admissionToken } }),
  /** Joins an item's waiting room (joining again keeps the place). */
  joinRoom: (token: string, seckillGoodId: number) => call<RoomTicket>('POST', `/api/seckill/goods/${seckillGoodId}/room`, { token }),
  /** The shopper's place in the room; 404 NOT_IN_ROOM if never joined or the admission expired unused. */
  roomTicket: (token: string, seckillGoodId: number) => call<RoomTicket>('GET', `/api/seckill/goods/${seckillGoodId}/room`, { token }),
  orderResult: (token: string, uuid: string) => call<OrderResult>('GET', `/api/seckill/orders/${encodeURIComponent(uuid)}`, { token }),
  myOrders: (token: string) => call<OrderView[]>('GET', '/api/orders', { token }),
  pay: (token: string, orderNo: string) => call<OrderView>('POST', `/api/orders/${encodeURIComponent(orderNo)}/pay`, { token }),
};
