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
  stockDrift: new Gauge({
    name: 'seckill_stock_drift',
    help: 'Redis counter minus what PostgreSQL implies, per sale item, at the last reconciliation (0 when in agreement)',
    labelNames: ['seckill_good_id'] as const,
  }),
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
