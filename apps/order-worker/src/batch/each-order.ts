import { faultOrigin } from '@seckill/observability';

export interface EachOrderOptions {
  /** Steps running at once. */
  concurrency: number;
  logger: { error(obj: object, msg: string): void };
  /** The line logged, with the order's uuid, for an order whose step failed. */
  failedMessage: string;
}

/**
 * Runs `step` for every order of one batch message, `concurrency` at a time, and returns the error the message
 * must be thrown with, if any (the caller may still have something to publish first):
 * - a dependency down (an error that names it): no further step starts: the rest would only wait on it too. The
 *   consumer waits the outage out and the message comes back whole;
 * - any other error belongs to its order: it is logged with the order's uuid, the other orders still run, and the
 *   first such error is returned, so the message is tried again (and counted towards its parking lot) for it.
 * The message always comes back whole, so every step must be idempotent per order.
 */
export async function eachOrder<T extends { uuid: string }>(orders: readonly T[], step: (order: T) => Promise<void>, options: EachOrderOptions): Promise<{ err: unknown } | undefined> {
  let next = 0;
  let outage: { err: unknown } | undefined;
  let failure: { err: unknown } | undefined;
  const lane = async (): Promise<void> => {
    for (let order = orders[next++]; order && !outage; order = orders[next++]) {
      try {
        await step(order);
      } catch (err) {
        if (faultOrigin(err)) {
          outage ??= { err };
          return;
        }
        options.logger.error({ err, uuid: order.uuid }, options.failedMessage);
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, orders.length) }, lane));
  return outage ?? failure;
}
