import { z } from 'zod/v4';
import { FailReason, RequestStatus } from './order-status';

// zod's v4 API (shipped inside the zod 3.25 package): it nests the result's union by `status` inside the event's
// union by `type`, which v3's discriminatedUnion cannot.

/**
 * RabbitMQ message bodies, version 1. Every body carries `version` so that a consumer can refuse (park) a
 * shape it does not know instead of guessing. A new incompatible shape gets a new version number.
 * Unknown fields are dropped, not refused: a producer may add an optional field before every consumer knows it.
 */
export const MESSAGE_VERSION = 1 as const;

const version = z.literal(MESSAGE_VERSION, { error: (issue) => `unsupported message version ${JSON.stringify(issue.input)}` });
// Any version: the uuid is a request's identity, minted by order-api or chosen by the client.
const uuid = z.guid({ error: 'must be a uuid' });
const id = z.int({ error: 'must be a positive integer' }).positive({ error: 'must be a positive integer' });
const text = z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' });
const failReason = z.enum(FailReason, { error: 'a FAIL result needs a known reason' });

/** order-api → seckill.order (pending): a reservation made in Redis that the worker must turn into an order. */
export const orderPlacedSchema = z.object({ version, uuid, userId: id, seckillGoodId: id, placedAt: text });
export type OrderPlacedMessage = z.infer<typeof orderPlacedSchema>;

const resultFields = {
  version,
  type: z.literal('order.result'),
  uuid,
  userId: id,
  seckillGoodId: id,
  orderNo: z.string().optional(),
  decidedAt: text,
};

/**
 * order-worker → seckill.order.result (`order.success` / `order.fail`): the durable outcome of one request.
 * A FAIL carries its reason; a reason on a SUCCESS is dropped.
 */
export const orderResultSchema = z.discriminatedUnion(
  'status',
  [
    z.object({ ...resultFields, status: z.literal(RequestStatus.SUCCESS) }),
    z.object({ ...resultFields, status: z.literal(RequestStatus.FAIL), reason: failReason }),
  ],
  { error: 'must be SUCCESS or FAIL' },
);
export type OrderResultMessage = z.infer<typeof orderResultSchema>;

/** order-worker / order-api → seckill.order.result (`order.status`): a created order changed state later. */
export const orderStatusSchema = z.object({
  version,
  type: z.literal('order.status'),
  uuid,
  userId: id,
  seckillGoodId: id,
  orderNo: text,
  status: z.enum(['PAID', 'CANCELLED', 'TIMEOUT'], { error: 'must be PAID, CANCELLED or TIMEOUT' }),
  at: text,
});
export type OrderStatusMessage = z.infer<typeof orderStatusSchema>;

/** Anything published on seckill.order.result, told apart by its `type`. */
export const orderEventSchema = z.discriminatedUnion('type', [orderResultSchema, orderStatusSchema], {
  error: 'must be order.result or order.status',
});
export type OrderEventMessage = z.infer<typeof orderEventSchema>;

const resultEntryFields = { uuid, userId: id, seckillGoodId: id, orderNo: z.string().optional() };

/** One request's outcome inside a batch of outcomes. */
export const orderResultEntrySchema = z.discriminatedUnion(
  'status',
  [
    z.object({ ...resultEntryFields, status: z.literal(RequestStatus.SUCCESS) }),
    z.object({ ...resultEntryFields, status: z.literal(RequestStatus.FAIL), reason: failReason }),
  ],
  { error: 'must be SUCCESS or FAIL' },
);
export type OrderResultEntry = z.infer<typeof orderResultEntrySchema>;

/**
 * order-worker → seckill.order.result (`order.success` / `order.fail`): the outcomes of one decided batch that
 * share that routing key, in one message (issue 13: one broker operation per batch instead of one per order).
 * Read as the single `order.result` messages it stands for (parseOrderEvents, parseOrderResults).
 */
export const orderResultBatchSchema = z.object({
  version,
  type: z.literal('order.results'),
  decidedAt: text,
  results: z.array(orderResultEntrySchema, { error: 'must be a list of results' }).min(1, { error: 'must list at least one result' }),
});
export type OrderResultBatchMessage = z.infer<typeof orderResultBatchSchema>;

/** A created order in its payment window. */
export const windowOrderSchema = z.object({ uuid, orderNo: text, userId: id, seckillGoodId: id });
export type WindowOrder = z.infer<typeof windowOrderSchema>;

/**
 * order-worker → seckill.order.payment (→ payment-window queue → dead-lettered as `order.timeout`): one order.
 * The shape published before the window went per batch; still accepted, since an upgrade finds such messages
 * waiting out their window.
 */
export const paymentWindowSchema = z.object({ version, ...windowOrderSchema.shape });
export type PaymentWindowMessage = z.infer<typeof paymentWindowSchema>;

/**
 * order-worker → seckill.order.payment: every SUCCESS order of one decided batch entering its payment window
 * together (one broker operation per batch instead of one per order), and the orders of an expired window
 * whose own deadline is still ahead, re-armed together.
 */
export const paymentWindowBatchSchema = z.object({ version, orders: z.array(windowOrderSchema, { error: 'must be a list of orders' }).min(1, { error: 'must list at least one order' }) });
export type PaymentWindowBatchMessage = z.infer<typeof paymentWindowBatchSchema>;

/** → seckill.stock (fanout): a unit came back; every order-api instance clears its local sold-out flag. */
export const stockBackSchema = z.object({
  version,
  seckillGoodId: id,
  // `room`: the item's waiting room was switched or retuned (every instance re-reads the item at once).
  reason: z.enum(['order.fail', 'restock', 'cancel', 'timeout', 'reconcile', 'room'], { error: 'must be order.fail, restock, cancel, timeout, reconcile or room' }),
});
export type StockBackMessage = z.infer<typeof stockBackSchema>;

export class MessageFormatError extends Error {
  override name = 'MessageFormatError';
}

function jsonObject(raw: Buffer | string): object {
  let body: unknown;
  try {
    body = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    throw new MessageFormatError('message body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new MessageFormatError('message body is not a JSON object');
  return body;
}

function check<S extends z.ZodType>(schema: S, body: object): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new MessageFormatError(parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
}

/** Parses raw bytes once (JSON, then the schema); throws MessageFormatError naming every problem found. */
function parser<S extends z.ZodType>(schema: S): (raw: Buffer | string) => z.output<S> {
  return (raw) => check(schema, jsonObject(raw));
}

export const parseOrderPlaced: (raw: Buffer | string) => OrderPlacedMessage = parser(orderPlacedSchema);
export const parseOrderResult: (raw: Buffer | string) => OrderResultMessage = parser(orderResultSchema);
export const parseOrderStatus: (raw: Buffer | string) => OrderStatusMessage = parser(orderStatusSchema);
export const parseOrderEvent: (raw: Buffer | string) => OrderEventMessage = parser(orderEventSchema);
export const parseOrderResultBatch: (raw: Buffer | string) => OrderResultBatchMessage = parser(orderResultBatchSchema);

const isResultBatch = (body: object): boolean => (body as { type?: unknown }).type === 'order.results';

function expand(batch: OrderResultBatchMessage): OrderResultMessage[] {
  return batch.results.map((r) => ({ ...r, version: batch.version, type: 'order.result', decidedAt: batch.decidedAt }));
}

/**
 * Everything published on seckill.order.result, as single events: a batch of outcomes gives one `order.result`
 * per request, any other body is one `order.result` or `order.status`. The notifier reads every outcome and
 * status change through here: one JSON.parse, one schema pass.
 */
export function parseOrderEvents(raw: Buffer | string): OrderEventMessage[] {
  const body = jsonObject(raw);
  return isResultBatch(body) ? expand(check(orderResultBatchSchema, body)) : [check(orderEventSchema, body)];
}

/** What an `order.success` / `order.fail` consumer reads: a batch of outcomes, or one. */
export function parseOrderResults(raw: Buffer | string): OrderResultMessage[] {
  const body = jsonObject(raw);
  return isResultBatch(body) ? expand(check(orderResultBatchSchema, body)) : [check(orderResultSchema, body)];
}
export const parsePaymentWindow: (raw: Buffer | string) => PaymentWindowMessage = parser(paymentWindowSchema);
export const parsePaymentWindowBatch: (raw: Buffer | string) => PaymentWindowBatchMessage = parser(paymentWindowBatchSchema);

/**
 * What the timeout handler reads from seckill.order.timeout: the orders of a window, from either shape (a body
 * with `orders` is a batch; any other is checked as the single-order shape of earlier releases).
 */
export function parsePaymentWindows(raw: Buffer | string): WindowOrder[] {
  const body = jsonObject(raw);
  if ('orders' in body) return check(paymentWindowBatchSchema, body).orders;
  const m = check(paymentWindowSchema, body);
  return [{ uuid: m.uuid, orderNo: m.orderNo, userId: m.userId, seckillGoodId: m.seckillGoodId }];
}
export const parseStockBack: (raw: Buffer | string) => StockBackMessage = parser(stockBackSchema);
