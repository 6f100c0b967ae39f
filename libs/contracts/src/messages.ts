import { FailReason, RequestStatus } from './order-status';

/**
 * RabbitMQ message bodies, version 1. Every body carries `version` so that a consumer can refuse (park) a
 * shape it does not know instead of guessing. A new incompatible shape gets a new version number.
 */
export const MESSAGE_VERSION = 1 as const;

/** order-api → seckill.order (pending): a reservation made in Redis that the worker must turn into an order. */
export interface OrderPlacedMessage {
  version: typeof MESSAGE_VERSION;
  uuid: string;
  userId: number;
  seckillGoodId: number;
  placedAt: string;
}

/** order-worker → seckill.order.result (`order.success` / `order.fail`): the durable outcome of one request. */
export interface OrderResultMessage {
  version: typeof MESSAGE_VERSION;
  type: 'order.result';
  uuid: string;
  userId: number;
  seckillGoodId: number;
  status: typeof RequestStatus.SUCCESS | typeof RequestStatus.FAIL;
  orderNo?: string;
  reason?: FailReason;
  decidedAt: string;
}

/** order-worker / order-api → seckill.order.result (`order.status`): a created order changed state later. */
export interface OrderStatusMessage {
  version: typeof MESSAGE_VERSION;
  type: 'order.status';
  uuid: string;
  userId: number;
  seckillGoodId: number;
  orderNo: string;
  status: 'PAID' | 'CANCELLED' | 'TIMEOUT';
  at: string;
}

/** order-worker → seckill.order.payment (→ payment-window queue → dead-lettered as `order.timeout`). */
export interface PaymentWindowMessage {
  version: typeof MESSAGE_VERSION;
  uuid: string;
  orderNo: string;
  userId: number;
  seckillGoodId: number;
}

/** → seckill.stock (fanout): a unit came back; every order-api instance clears its local sold-out flag. */
export interface StockBackMessage {
  version: typeof MESSAGE_VERSION;
  seckillGoodId: number;
  reason: 'order.fail' | 'restock' | 'cancel' | 'timeout' | 'reconcile';
}

export class MessageFormatError extends Error {
  override name = 'MessageFormatError';
}

type Obj = Record<string, unknown>;

function asObject(body: unknown): Obj {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MessageFormatError('message body is not a JSON object');
  }
  const obj = body as Obj;
  if (obj.version !== MESSAGE_VERSION) {
    throw new MessageFormatError(`unsupported message version ${JSON.stringify(obj.version)}`);
  }
  return obj;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidField(obj: Obj, key: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || !UUID_RE.test(v)) throw new MessageFormatError(`${key} must be a uuid`);
  return v;
}

function idField(obj: Obj, key: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new MessageFormatError(`${key} must be a positive integer`);
  }
  return v;
}

function stringField(obj: Obj, key: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.length === 0) throw new MessageFormatError(`${key} must be a non-empty string`);
  return v;
}

/** Parses raw bytes; throws MessageFormatError for anything that is not a valid v1 OrderPlacedMessage. */
export function parseOrderPlaced(raw: Buffer | string): OrderPlacedMessage {
  const obj = asObject(parseJson(raw));
  return {
    version: MESSAGE_VERSION,
    uuid: uuidField(obj, 'uuid'),
    userId: idField(obj, 'userId'),
    seckillGoodId: idField(obj, 'seckillGoodId'),
    placedAt: stringField(obj, 'placedAt'),
  };
}

export function parseOrderResult(raw: Buffer | string): OrderResultMessage {
  return orderResultOf(asObject(parseJson(raw)));
}

function orderResultOf(obj: Obj): OrderResultMessage {
  const status = obj.status;
  if (status !== RequestStatus.SUCCESS && status !== RequestStatus.FAIL) {
    throw new MessageFormatError('status must be SUCCESS or FAIL');
  }
  const reason = obj.reason;
  if (status === RequestStatus.FAIL && !Object.values(FailReason).includes(reason as FailReason)) {
    throw new MessageFormatError('a FAIL result needs a known reason');
  }
  return {
    version: MESSAGE_VERSION,
    type: 'order.result',
    uuid: uuidField(obj, 'uuid'),
    userId: idField(obj, 'userId'),
    seckillGoodId: idField(obj, 'seckillGoodId'),
    status,
    ...(typeof obj.orderNo === 'string' ? { orderNo: obj.orderNo } : {}),
    ...(status === RequestStatus.FAIL ? { reason: reason as FailReason } : {}),
    decidedAt: stringField(obj, 'decidedAt'),
  };
}

export function parseStockBack(raw: Buffer | string): StockBackMessage {
  const obj = asObject(parseJson(raw));
  return {
    version: MESSAGE_VERSION,
    seckillGoodId: idField(obj, 'seckillGoodId'),
    reason: stringField(obj, 'reason') as StockBackMessage['reason'],
  };
}

function parseJson(raw: Buffer | string): unknown {
  try {
    return JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    throw new MessageFormatError('message body is not valid JSON');
  }
}

const LATER_STATUSES = ['PAID', 'CANCELLED', 'TIMEOUT'] as const;

export function parseOrderStatus(raw: Buffer | string): OrderStatusMessage {
  return orderStatusOf(asObject(parseJson(raw)));
}

function orderStatusOf(obj: Obj): OrderStatusMessage {
  const status = obj.status;
  if (!LATER_STATUSES.includes(status as OrderStatusMessage['status'])) throw new MessageFormatError('status must be PAID, CANCELLED or TIMEOUT');
  return {
    version: MESSAGE_VERSION,
    type: 'order.status',
    uuid: uuidField(obj, 'uuid'),
    userId: idField(obj, 'userId'),
    seckillGoodId: idField(obj, 'seckillGoodId'),
    orderNo: stringField(obj, 'orderNo'),
    status: status as OrderStatusMessage['status'],
    at: stringField(obj, 'at'),
  };
}

/** Anything published on seckill.order.result, told apart by its `type`. */
export function parseOrderEvent(raw: Buffer | string): OrderResultMessage | OrderStatusMessage {
  // Parsed once: the notifier reads every outcome and status change through here.
  const obj = asObject(parseJson(raw));
  return obj.type === 'order.status' ? orderStatusOf(obj) : orderResultOf(obj);
}

export function parsePaymentWindow(raw: Buffer | string): PaymentWindowMessage {
  const obj = asObject(parseJson(raw));
  return {
    version: MESSAGE_VERSION,
    uuid: uuidField(obj, 'uuid'),
    orderNo: stringField(obj, 'orderNo'),
    userId: idField(obj, 'userId'),
    seckillGoodId: idField(obj, 'seckillGoodId'),
  };
}
