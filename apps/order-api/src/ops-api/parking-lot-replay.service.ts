import { Inject, Injectable, Optional } from '@nestjs/common';
import { connect, type ConfirmChannel } from 'amqplib';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '@seckill/config';
import { DomainError, ErrorCode, type ReplayResult } from '@seckill/contracts';
import { connectToAnyNode, RetryHeader } from '@seckill/messaging';
import { OpsOverviewService } from './ops-overview.service';

/** One replay moves at most this many messages, so a huge parking lot is replayed in bounded steps. */
const MAX_PER_REPLAY = 10_000;

/** A broker that does not answer the connect within this long is treated as down (503), not waited on. */
const CONNECT_TIMEOUT_MS = 5_000;

type ErrorListener = (err: Error) => void;
/** What the replay uses of an AMQP connection: amqplib's has it, and so does the svc tests' broker. */
export interface ReplayConnection {
  createConfirmChannel(): Promise<Pick<ConfirmChannel, 'checkQueue' | 'get' | 'sendToQueue' | 'waitForConfirms' | 'ack' | 'close'> & { on(event: 'error', listener: ErrorListener): unknown }>;
  on(event: 'error', listener: ErrorListener): unknown;
  close(): Promise<void>;
}
export type AmqpConnect = (url: string) => Promise<ReplayConnection>;

/**
 * Moves parked messages back to the queue they came from, for an operator who fixed the cause. Each message is
 * re-published with a confirm before it is acked in the parking lot, so a crash mid-replay duplicates at most
 * (consumers are idempotent) and never loses. The replay is logged with the operator's name.
 */
@Injectable()
export class ParkingLotReplayService {
  private readonly connect: AmqpConnect;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: PinoLogger,
    // Nest provides none (amqplib's connect is used); the svc tests hand in a broker of their own.
    @Optional() connectTo?: AmqpConnect,
  ) {
    logger.setContext('ParkingLotReplay');
    this.connect = connectTo ?? ((url) => connect(url, { timeout: CONNECT_TIMEOUT_MS }));
  }

  async replay(parkingLot: string, operator: string): Promise<ReplayResult> {
    const source = OpsOverviewService.sourceOf(parkingLot);
    if (!source) throw new DomainError(ErrorCode.NOT_FOUND, `no parking lot named ${parkingLot}`);
    // A connection of its own: the operation is rare, and basic.get/ack must stay on one channel throughout.
    // Any node of a cluster will do (quorum queues are reached from every node); a node that refuses is skipped.
    const connection = await connectToAnyNode(this.config.RABBITMQ_URL, this.connect);
    // amqplib reports a lost connection, or a channel the broker closed, both by rejecting the call in flight
    // (which answers the operator) and as an 'error' event; an 'error' nobody listens to is thrown out of a
    // socket callback and would take order-api down with it.
    const logLoss: ErrorListener = (err) => this.logger.warn({ err, parkingLot }, 'parking-lot replay: connection or channel lost');
    connection.on('error', logLoss);
    let replayed = 0;
    try {
      const ch = await connection.createConfirmChannel();
      ch.on('error', logLoss);
      // Only what is parked now: a message that fails again is parked again behind us, and must not be
      // picked up by this same replay (it would loop until the bound).
      const { messageCount } = await ch.checkQueue(parkingLot).catch((err: unknown) => {
        // Named by the topology but not on the broker (never declared, or deleted by hand): nothing parked.
        if (err instanceof Error && /\b404\b.*NOT.FOUND/.test(err.message)) throw new DomainError(ErrorCode.NOT_FOUND, `parking lot ${parkingLot} does not exist on the broker`);
        throw err;
      });
      for (const limit = Math.min(messageCount, MAX_PER_REPLAY); replayed < limit; replayed++) {
        const msg = await ch.get(parkingLot, { noAck: false });
        if (!msg) break;
        // A replayed message starts a fresh life: its failure count would otherwise park it again at once.
        const headers: Record<string, unknown> = { ...(msg.properties.headers ?? {}), 'x-replayed-by': operator, 'x-replayed-at': new Date().toISOString() };
        for (const h of [RetryHeader.FAILURES, RetryHeader.OUTAGES, RetryHeader.RETURNS, 'x-delivery-count']) delete headers[h];
        ch.sendToQueue(source, msg.content, { ...msg.properties, headers, persistent: true });
        await ch.waitForConfirms().catch((err: unknown) => {
          // A nack: the broker refused the copy (e.g. a resource alarm). The original stays parked (unacked
          // messages return when the connection closes), and the operator is told to try again later.
          if (err instanceof Error && /nack/i.test(err.message)) throw new DomainError(ErrorCode.TRY_AGAIN, 'RabbitMQ refused the replayed message; try again later');
          throw err;
        });
        ch.ack(msg);
      }
      await ch.close();
    } finally {
      await connection.close();
    }
    this.logger.warn({ operator, parkingLot, to: source, replayed }, 'parking lot replayed');
    return { queue: parkingLot, to: source, replayed };
  }
}
