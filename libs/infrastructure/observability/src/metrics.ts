import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * Every metric of the product, defined once per process (prom-client's registry is global). Names are the
 * contract of the Grafana dashboards in infra/grafana/dashboards: rename only together with them.
 */
export const metrics = {
  httpResponses: new Counter({
    name: 'seckill_http_responses_total',
    help: 'HTTP responses by route pattern and status code',
    labelNames: ['route', 'status'] as const,
  }),
  reservations: new Counter({
    name: 'seckill_reservations_total',
    help: 'Order attempts by how order-api answered them: reserved, sold_out, already_ordered, duplicate, flagged (local sold-out flag, no I/O)',
    labelNames: ['outcome'] as const,
  }),
  orders: new Counter({
    name: 'seckill_orders_total',
    help: 'Order events: created, failed, paid, cancelled, timed_out',
    labelNames: ['event'] as const,
  }),
  publishConfirm: new Histogram({
    name: 'seckill_publish_confirm_seconds',
    help: 'Time from publish to broker confirm',
    labelNames: ['exchange'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  }),
  consumerBatchSize: new Histogram({
    name: 'seckill_consumer_batch_size',
    help: 'Messages per batch handed to a batch consumer',
    labelNames: ['queue'] as const,
    buckets: [1, 2, 5, 10, 25, 50, 100, 200, 400],
  }),
  consumerBatchSeconds: new Histogram({
    name: 'seckill_consumer_batch_seconds',
    help: 'Time to process one batch (transaction, publishes, acks)',
    labelNames: ['queue'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  }),
  wsConnections: new Gauge({ name: 'seckill_ws_connections', help: 'Open WebSocket connections on this notifier' }),
  wsPushes: new Counter({ name: 'seckill_ws_pushes_total', help: 'Frames pushed to sockets', labelNames: ['type'] as const }),
  wsRefused: new Counter({ name: 'seckill_ws_refused_total', help: 'Sockets closed by the notifier\'s guard, by close code', labelNames: ['code'] as const }),
  dependencyUp: new Gauge({
    name: 'seckill_dependency_up',
    help: 'Whether this process reaches a dependency (1) or not (0), as of its last probe',
    labelNames: ['dependency'] as const,
  }),
  consumerAttached: new Gauge({
    name: 'seckill_consumer_attached',
    help: 'Whether this process consumes a queue (1), or is paused or disconnected (0)',
    labelNames: ['queue'] as const,
  }),
  messageRetries: new Counter({
    name: 'seckill_message_retries_total',
    help: 'Messages sent to a delay queue to be tried again: cause outage (a dependency was down) or failure (it failed while everything answered)',
    labelNames: ['queue', 'cause'] as const,
  }),
  messagesParked: new Counter({
    name: 'seckill_messages_parked_total',
    help: 'Messages dead-lettered to a parking lot, by reason: unparseable, failed (every attempt failed while dependencies answered), crash_loop',
    labelNames: ['queue', 'reason'] as const,
  }),
  reservationsStranded: new Counter({
    name: 'seckill_reservations_stranded_total',
    help: 'Reservations found stuck in PUBLISHING (their order-api died before the publish confirm) and released by the sweeper',
  }),
  oldestPublishing: new Gauge({
    name: 'seckill_reservation_oldest_publishing_seconds',
    help: 'Age of the oldest reservation still waiting for its publish confirm (0 when none), as of the last sweep',
  }),
  stockFenced: new Gauge({
    name: 'seckill_stock_fenced',
    help: 'Whether a sale item is held (1) because Redis lost its state and orders queued before are still being decided',
    labelNames: ['seckill_good_id'] as const,
  }),
  unhandledErrors: new Counter({
    name: 'seckill_unhandled_errors_total',
    help: 'Errors that reached the process-level safety net (a bug: every expected failure is handled where it happens)',
    labelNames: ['kind'] as const,
  }),
  stockDrift: new Gauge({
    name: 'seckill_stock_drift',
    help: 'Redis counter minus what PostgreSQL implies, per sale item, at the last reconciliation (0 when in agreement)',
    labelNames: ['seckill_good_id'] as const,
  }),
  rateLimited: new Counter({
    name: 'seckill_rate_limited_total',
    help: 'Requests refused 429 by a request limit (login_username, login_ip, register_ip, order_user, order_ip)',
    labelNames: ['limit'] as const,
  }),
  limitStoreErrors: new Counter({
    name: 'seckill_limit_store_errors_total',
    help: 'Request-limit checks Redis did not answer: counted on this instance alone meanwhile (its memory fallback)',
    labelNames: ['limit'] as const,
  }),
  passwordHashRefused: new Counter({
    name: 'seckill_password_hash_refused_total',
    help: 'Logins and registrations answered 503 TRY_AGAIN because the password-hashing queue was full',
  }),
  roomJoins: new Counter({
    name: 'seckill_room_joins_total',
    help: 'Waiting-room joins answered, by the status of the ticket (WAITING, ADMITTED, CLOSED, OPEN)',
    labelNames: ['status'] as const,
  }),
  roomAdmitted: new Counter({ name: 'seckill_room_admitted_total', help: 'Shoppers admitted from waiting rooms by this process (while it held the lease)' }),
  roomClosed: new Counter({ name: 'seckill_room_closed_total', help: 'Waiting rooms closed by this process, by reason', labelNames: ['reason'] as const }),
  roomLeases: new Gauge({ name: 'seckill_room_leases', help: 'Waiting rooms whose admission lease this process holds' }),
  roomAdmissionRefused: new Counter({ name: 'seckill_room_admission_refused_total', help: 'Orders refused 403 NOT_ADMITTED (no valid admission token)' }),
};

let defaultsOn = false;

/** Node process metrics (CPU, memory, event-loop lag, GC), labelled with the app's name. */
export function enableProcessMetrics(app: string): void {
  if (defaultsOn) return;
  defaultsOn = true;
  register.setDefaultLabels({ app });
  collectDefaultMetrics();
}

export { register as metricsRegistry };
