import type { Options } from 'amqplib';

/**
 * The whole RabbitMQ topology, as data. Every process declares all of it on every (re)connect, so a message
 * published before its consumer ever started is still routed to a durable queue, and the management UI, the
 * docs and the code use the same names. Queue arguments are constants on purpose: redeclaring a queue with
 * different arguments fails with PRECONDITION_FAILED, so anything an operator may tune (TTLs) travels on
 * the message instead.
 */
export const Exchange = {
  /** direct: order-api → pending queue */
  ORDER: 'seckill.order',
  /** topic: every outcome of an order (`order.success`, `order.fail`, later `order.status`) */
  RESULT: 'seckill.order.result',
  /** topic: where the payment window dead-letters expired orders (`order.timeout`) */
  DELAY: 'seckill.order.delay',
  /** fanout: "a unit came back", every order-api instance clears its local sold-out flag */
  STOCK: 'seckill.stock',
  /** direct: poison messages, routed by the name of the queue they came from to its parking lot */
  DEAD_LETTER: 'seckill.dlx',
  /** direct: created orders enter their payment window, routed by the window's length (`900s`) */
  PAYMENT: 'seckill.order.payment',
  /** topic: a consumer sends a message to be tried again later, keyed `{delay}.{queue}` (`5s.seckill.order.pending`) */
  RETRY: 'seckill.retry',
  /** topic: the delay queues dead-letter here when a message's delay is over; each consumed queue binds `*.{queue}` */
  RETRY_DUE: 'seckill.retry.due',
} as const;

export const RoutingKey = {
  ORDER_PENDING: 'order.pending',
  ORDER_SUCCESS: 'order.success',
  ORDER_FAIL: 'order.fail',
  ORDER_STATUS: 'order.status',
  ORDER_TIMEOUT: 'order.timeout',
} as const;

export const Queue = {
  PENDING: 'seckill.order.pending',
  FAIL_RELEASE: 'seckill.order.fail.release',
  NOTIFY_RESULTS: 'seckill.notify.results',
  TIMEOUT: 'seckill.order.timeout',
} as const;

/**
 * The broker's own guard: a message returned this many times without being settled (its consumer crashed or lost
 * its connection with it in hand) is dead-lettered to its parking lot. Consumers count failures themselves
 * (QueueConsumer) and refresh a message before it gets near this, so the limit only ever catches a message that
 * crashes its consumer again and again.
 */
export const DELIVERY_LIMIT = 5;

/**
 * Delay queues for messages to be tried again: an outage is retried after 1 s, 5 s, 30 s, then every 30 s; a
 * failure while everything answers after 1 s. One queue per delay, so every message in a queue has the same TTL
 * and they expire in order (a per-message TTL behind a longer one would wait for it).
 */
export const RETRY_DELAYS = [
  { name: '1s', ms: 1000 },
  { name: '5s', ms: 5000 },
  { name: '30s', ms: 30_000 },
] as const;
export type RetryDelay = (typeof RETRY_DELAYS)[number];

export function retryQueueName(delay: RetryDelay): string {
  return `seckill.retry.${delay.name}`;
}

/** The routing key that sends a copy of a message of `queue` through the delay `delay` and back to `queue`. */
export function retryRoutingKey(delay: RetryDelay, queue: string): string {
  return `${delay.name}.${queue}`;
}

export interface ExchangeSpec {
  name: string;
  type: 'direct' | 'topic' | 'fanout';
  purpose: string;
}

export interface QueueSpec {
  name: string;
  purpose: string;
  consumedBy: string;
  bindings: { exchange: string; routingKey: string }[];
  /**
   * A queue the product consumes: poison messages go to `${name}.parking-lot` (unparseable, failed
   * MAX_DELIVERIES times while every dependency answered, or returned DELIVERY_LIMIT times by crashes), and
   * messages come back to it from the delay queues.
   */
  parkingLot: boolean;
}

export const EXCHANGES: readonly ExchangeSpec[] = [
  { name: Exchange.ORDER, type: 'direct', purpose: 'order requests accepted by order-api' },
  { name: Exchange.RESULT, type: 'topic', purpose: 'outcomes: order.success, order.fail, order.status' },
  { name: Exchange.DELAY, type: 'topic', purpose: 'dead-letter target of the payment window (order.timeout)' },
  { name: Exchange.STOCK, type: 'fanout', purpose: 'stock came back: clear local sold-out flags everywhere' },
  { name: Exchange.DEAD_LETTER, type: 'direct', purpose: 'poison messages, keyed by source queue' },
  { name: Exchange.PAYMENT, type: 'direct', purpose: 'created orders entering their payment window, keyed by window length' },
  { name: Exchange.RETRY, type: 'topic', purpose: 'messages to be tried again later, keyed {delay}.{queue}' },
  { name: Exchange.RETRY_DUE, type: 'topic', purpose: 'messages whose retry delay is over, back to their queue' },
];

export const QUEUES: readonly QueueSpec[] = [
  {
    name: Queue.PENDING,
    purpose: 'reserved orders waiting to be written to PostgreSQL',
    consumedBy: 'order-worker (batches, manual ack)',
    bindings: [{ exchange: Exchange.ORDER, routingKey: RoutingKey.ORDER_PENDING }],
    parkingLot: true,
  },
  {
    name: Queue.FAIL_RELEASE,
    purpose: 'failed orders whose Redis reservation must be released',
    consumedBy: 'order-worker',
    bindings: [{ exchange: Exchange.RESULT, routingKey: RoutingKey.ORDER_FAIL }],
    parkingLot: true,
  },
  {
    name: Queue.NOTIFY_RESULTS,
    purpose: 'every outcome and later status of an order, to store for late sockets and push to waiting ones',
    consumedBy: 'websocket-notifier (any instance; routing to the socket goes through Redis)',
    bindings: [{ exchange: Exchange.RESULT, routingKey: 'order.#' }],
    parkingLot: true,
  },
  {
    name: Queue.TIMEOUT,
    purpose: 'orders whose payment window expired: TIMEOUT if still unpaid, unit returned',
    consumedBy: 'order-worker',
    bindings: [{ exchange: Exchange.DELAY, routingKey: RoutingKey.ORDER_TIMEOUT }],
    parkingLot: true,
  },
];

export function parkingLotName(queue: string): string {
  return `${queue}.parking-lot`;
}

/** Quorum queues: replicated, and from 3.10 they count deliveries and dead-letter at least once. */
export function durableQueueOptions(spec: QueueSpec): Options.AssertQueue {
  const args: Record<string, unknown> = { 'x-queue-type': 'quorum' };
  if (spec.parkingLot) {
    args['x-delivery-limit'] = DELIVERY_LIMIT;
    args['x-dead-letter-exchange'] = Exchange.DEAD_LETTER;
    args['x-dead-letter-routing-key'] = spec.name;
    // at-least-once dead-lettering needs reject-publish overflow; without it a parked message could be lost.
    args['x-dead-letter-strategy'] = 'at-least-once';
    args['x-overflow'] = 'reject-publish';
  }
  return { durable: true, arguments: args };
}

export function parkingLotOptions(): Options.AssertQueue {
  return { durable: true, arguments: { 'x-queue-type': 'quorum' } };
}

/** A delay queue: no consumer; a message waits out the TTL, then is dead-lettered (at least once) back. */
export function retryQueueOptions(delay: RetryDelay): Options.AssertQueue {
  return {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-message-ttl': delay.ms,
      'x-dead-letter-exchange': Exchange.RETRY_DUE,
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    },
  };
}

/** The subset of an amqplib channel that declaration needs (keeps this testable against any channel). */
export interface DeclaringChannel {
  assertExchange(name: string, type: string, options?: Options.AssertExchange): Promise<unknown>;
  assertQueue(name: string, options?: Options.AssertQueue): Promise<unknown>;
  bindQueue(queue: string, exchange: string, pattern: string): Promise<unknown>;
}

/** Idempotent: declaring on a broker that already has the topology changes nothing. */
export async function declareTopology(channel: DeclaringChannel): Promise<void> {
  for (const ex of EXCHANGES) await channel.assertExchange(ex.name, ex.type, { durable: true });
  for (const delay of RETRY_DELAYS) {
    await channel.assertQueue(retryQueueName(delay), retryQueueOptions(delay));
    await channel.bindQueue(retryQueueName(delay), Exchange.RETRY, `${delay.name}.#`);
  }
  for (const q of QUEUES) {
    await channel.assertQueue(q.name, durableQueueOptions(q));
    for (const b of q.bindings) await channel.bindQueue(q.name, b.exchange, b.routingKey);
    if (q.parkingLot) {
      const lot = parkingLotName(q.name);
      await channel.assertQueue(lot, parkingLotOptions());
      await channel.bindQueue(lot, Exchange.DEAD_LETTER, q.name);
      // Consumed queues take back their own messages from every delay queue (`*` is the delay's name).
      await channel.bindQueue(q.name, Exchange.RETRY_DUE, `*.${q.name}`);
    }
  }
}

/**
 * The payment window: one queue per window length, with no consumer. Every message in a queue has the same
 * TTL, so they expire in FIFO order and a long-lived message can never block a shorter one behind it;
 * changing PAYMENT_WINDOW_SECONDS between runs declares a new queue instead of redeclaring the old one with
 * other arguments (PRECONDITION_FAILED). An old queue empties itself (its messages still expire into
 * `seckill.order.delay`) and is deleted by the broker once unused for a day longer than its window; the
 * worker re-declares its current queue hourly, which keeps it alive.
 */
export function paymentWindowQueue(seconds: number): { name: string; routingKey: string; options: Options.AssertQueue } {
  return {
    name: `seckill.order.payment-window.${seconds}s`,
    routingKey: `${seconds}s`,
    options: {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-message-ttl': seconds * 1000,
        'x-expires': (seconds + 86_400) * 1000,
        'x-dead-letter-exchange': Exchange.DELAY,
        'x-dead-letter-routing-key': RoutingKey.ORDER_TIMEOUT,
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    },
  };
}

export async function declarePaymentWindow(channel: DeclaringChannel, seconds: number): Promise<void> {
  const q = paymentWindowQueue(seconds);
  await channel.assertQueue(q.name, q.options);
  await channel.bindQueue(q.name, Exchange.PAYMENT, q.routingKey);
}
