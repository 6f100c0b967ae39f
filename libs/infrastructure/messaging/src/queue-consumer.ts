import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import { faultOrigin, metrics, type Dependency } from '@seckill/observability';
import { BatchPump } from './batch-pump';
import { guardChannel, reviveWhenClosedAlone, type MessagingLogger } from './channel-guard';
import type { ConfirmedPublisher, PublishMeta } from './confirmed-publisher';
import { sourceName, type ConsumerSpec } from './consumer-spec';
import { Delivery, type Disposition } from './delivery';
import { afterFailure, onArrival, type Cause, type RetryStep } from './retry-policy';
import { declareTopology, Exchange, retryRoutingKey } from './topology';

/** Runs one batch (one message when the spec has no batching); throws when it cannot finish. */
export type BatchHandler = (batch: readonly Delivery[]) => Promise<readonly Disposition[]>;

/** Which of these dependencies are down right now (DependencyMonitor). */
export interface OutageProbe {
  probe(deps: readonly Dependency[]): Promise<Dependency[]>;
}

export interface ConsumerDeps {
  publisher: ConfirmedPublisher;
  probe: OutageProbe;
  logger: MessagingLogger;
  /** How often a paused consumer asks whether its dependencies are back. */
  resumeCheckMs?: number;
}

export interface ConsumerState {
  ready: boolean;
  detail?: string;
}

interface Attachment {
  channel: Channel;
  queue: string;
  generation: number;
  consumerTag?: string;
}

/**
 * The one way the product consumes a queue. Manual acks, a bounded prefetch, batches that grow under a flood
 * (BatchPump), and a failure policy:
 * - a handler that throws while one of the spec's dependencies is down (by the error, and by probing right
 *   after) hit an **outage**: the consumer pauses (stops taking messages; they wait in the queue), the messages
 *   in hand go through the delay queues (1 s, 5 s, 30 s, then every 30 s), and it resumes by itself once every
 *   dependency answers again. Outages never count towards parking;
 * - a handler that throws while everything answers **failed**: the message is tried again after a second, and
 *   parked once it has failed `maxFailures` times; a failed batch is first split into single messages, so one
 *   bad message cannot hold the others back;
 * - a copy the broker returned often (connections lost with it in hand) is refreshed before the broker's
 *   delivery limit would park it; only a crash loop parks it.
 * A copy is always published (confirmed) before its original is acked: a crash in between duplicates, never
 * loses, and every handler is idempotent.
 */
export class QueueConsumer {
  private wrapper?: ChannelWrapper;
  private generation = 0;
  private attached?: Attachment;
  private paused?: { deps: Dependency[]; since: number };
  private resumeTimer?: NodeJS.Timeout;
  private stopping = false;
  /** Messages whose retry copy could not be published (the broker is the trouble): handled again on resume. */
  private held: Delivery[] = [];
  private readonly pump: BatchPump<Delivery>;
  private readonly name: string;

  constructor(
    private readonly connection: AmqpConnectionManager,
    private readonly spec: ConsumerSpec,
    private readonly handler: BatchHandler,
    private readonly deps: ConsumerDeps,
  ) {
    this.name = sourceName(spec.source);
    const batching = spec.batch ?? { maxBatch: 1, maxInFlight: spec.prefetch };
    this.pump = new BatchPump<Delivery>(batching, (batch) => this.run(batch), (err, batch) => {
      // run() settles everything itself; only a bug gets here. The messages come back after a reconnect.
      this.deps.logger.error({ err, size: batch.length, queue: this.name }, 'batch settlement failed');
    });
    metrics.consumerAttached.set({ queue: this.name }, 0);
    // Every series exists from the start, so an alert on its increase sees the first event too.
    for (const cause of ['outage', 'failure'] as const) metrics.messageRetries.inc({ queue: this.name, cause }, 0);
    for (const reason of ['unparseable', 'failed', 'crash_loop'] as const) metrics.messagesParked.inc({ queue: this.name, reason }, 0);
  }

  get queue(): string {
    return this.name;
  }

  /** Readiness: consuming now. Paused (a dependency is down) or disconnected is not ready. */
  state(): ConsumerState {
    if (this.paused) return { ready: false, detail: `paused: waiting for ${this.paused.deps.join(', ')}` };
    if (!this.attached?.consumerTag) return { ready: false, detail: 'not attached to its queue' };
    return { ready: true };
  }

  start(): Promise<void> {
    this.stopping = false;
    this.wrapper = this.connection.createChannel({
      name: `consumer:${this.name}`,
      confirm: false,
      setup: (channel: Channel) => this.setup(channel),
    });
    guardChannel(this.wrapper, `consumer:${this.name}`, this.deps.logger);
    return this.wrapper.waitForConnect();
  }

  /**
   * Graceful: stop taking messages, let those in hand finish (acked, retried or parked), then close. Bounded by
   * `graceMs`: what is still unsettled then goes back to the queue with the channel and is replayed idempotently.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.resumeTimer);
    await this.detach();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.pump.whenIdle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    metrics.consumerAttached.set({ queue: this.name }, 0);
    await this.wrapper?.close().catch(() => undefined);
  }

  /** Resolves when nothing is buffered or being handled. */
  whenIdle(): Promise<void> {
    return this.pump.whenIdle();
  }

  private async setup(channel: Channel): Promise<void> {
    const generation = ++this.generation;
    guardChannel(channel, `consumer:${this.name}`, this.deps.logger);
    // Wanted back unless stopping or already replaced by a newer setup (the connection came back by itself).
    reviveWhenClosedAlone(this.connection, channel, () => !this.stopping && this.generation === generation, `consumer:${this.name}`, this.deps.logger);
    await declareTopology(channel);
    await channel.prefetch(this.spec.prefetch);
    let queue: string;
    if (this.spec.source.kind === 'durable') {
      queue = this.spec.source.queue;
    } else {
      ({ queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false }));
      await channel.bindQueue(queue, this.spec.source.exchange, this.spec.source.routingKey);
    }
    const attachment: Attachment = { channel, queue, generation };
    this.attached = attachment;
    // Deliveries of a closed channel can no longer be settled: they count as done, and the broker has them back.
    channel.once('close', () => {
      if (this.attached !== attachment) return;
      this.attached = undefined;
      metrics.consumerAttached.set({ queue: this.name }, 0);
    });
    // Held messages belonged to the previous channel: the broker has them back and will deliver them again.
    this.held = [];
    if (!this.paused && !this.stopping) await this.consume(attachment);
    this.spec.onAttached?.();
  }

  private async consume(a: Attachment): Promise<void> {
    const { consumerTag } = await a.channel.consume(
      a.queue,
      (msg: ConsumeMessage | null) => {
        // null: the broker cancelled the consumer (queue deleted, leader moved): take the channel down so the
        // connection manager re-creates it and setup attaches again.
        if (!msg) return this.onCancelled(a);
        this.onMessage(new Delivery(msg, a.channel, () => a.generation === this.generation && this.attached === a));
      },
      { noAck: false },
    );
    a.consumerTag = consumerTag;
    metrics.consumerAttached.set({ queue: this.name }, 1);
  }

  private onCancelled(a: Attachment): void {
    a.consumerTag = undefined;
    metrics.consumerAttached.set({ queue: this.name }, 0);
    this.deps.logger.warn({ queue: this.name }, 'consumer cancelled by the broker; re-attaching');
    // Closing the channel makes reviveWhenClosedAlone recycle the connection, and setup attaches again.
    void a.channel.close().catch(() => undefined);
  }

  private async detach(): Promise<void> {
    const a = this.attached;
    if (!a?.consumerTag) return;
    const tag = a.consumerTag;
    a.consumerTag = undefined;
    metrics.consumerAttached.set({ queue: this.name }, 0);
    await a.channel.cancel(tag).catch(() => undefined);
  }

  private onMessage(d: Delivery): void {
    const step = onArrival(d.headers);
    if (step) {
      void this.apply(d, step, 'returned by the broker too often');
      return;
    }
    this.pump.push(d);
  }

  /** One batch: handled, or (while paused) sent straight to the delay queues without bothering the handler. */
  private async run(batch: Delivery[]): Promise<void> {
    const live = batch.filter((d) => !d.done);
    if (live.length === 0) return;
    if (this.paused) {
      await this.settleAll(live.map((d) => ({ d, outcome: { cause: 'outage' as const, err: undefined } })));
      return;
    }
    metrics.consumerBatchSize.observe({ queue: this.name }, live.length);
    const timer = metrics.consumerBatchSeconds.startTimer({ queue: this.name });
    try {
      const dispositions = await this.handler(live);
      await this.settleAll(live.map((d, i) => ({ d, outcome: dispositions[i] ?? 'ack' })));
    } catch (err) {
      const cause = await this.causeOf(err);
      if (cause === 'outage' || live.length === 1) {
        await this.settleAll(live.map((d) => ({ d, outcome: { cause, err } })));
      } else {
        // Something in this batch fails while everything answers: find out which, one message at a time.
        this.deps.logger.warn({ err, size: live.length, queue: this.name }, 'batch failed; handling its messages one by one');
        for (const d of live) await this.run([d]);
      }
    } finally {
      timer();
    }
  }

  private async settleAll(items: { d: Delivery; outcome: Disposition | { cause: Cause; err: unknown } }[]): Promise<void> {
    await Promise.all(
      items.map(({ d, outcome }) => {
        if (outcome === 'ack') return d.ack();
        if (outcome === 'park') return this.park(d, 'unparseable', d.headers);
        const message = outcome.err instanceof Error ? outcome.err.message : outcome.err === undefined ? `paused: ${this.paused?.deps.join(', ')} down` : String(outcome.err);
        return this.apply(d, afterFailure(d.headers, outcome.cause, this.spec.maxFailures, message), message, outcome.cause === 'outage' ? 'outage' : 'failure');
      }),
    );
  }

  /**
   * Outage or failure. An error that names a dependency (a refused connection, a timeout, a server restarting)
   * is an outage: retried with growing delays and never counted, also when that dependency answers the probe
   * again (a blip, or an overload such as a pool that had no free connection in time). An error that names none
   * is an outage only if the probe finds one of the consumer's dependencies down right now; otherwise the message
   * failed while everything answered, which is what counts towards parking. The consumer pauses while a
   * dependency is down.
   */
  private async causeOf(err: unknown): Promise<Cause> {
    const origin = faultOrigin(err);
    const named = origin && origin !== 'network' ? [origin] : [];
    const toProbe = [...new Set([...this.spec.dependencies, ...named])];
    const down = await this.deps.probe.probe(toProbe).catch(() => [] as Dependency[]);
    if (down.length > 0) this.pause(down, err);
    return down.length > 0 || named.length > 0 ? 'outage' : 'failure';
  }

  private pause(down: Dependency[], err: unknown): void {
    if (this.paused || this.stopping) return;
    this.paused = { deps: down, since: Date.now() };
    this.deps.logger.warn({ err, queue: this.name, down }, 'dependency down: consumer paused, messages in hand wait in the delay queues');
    void this.detach();
    this.scheduleResumeCheck();
  }

  private scheduleResumeCheck(): void {
    clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => void this.tryResume(), this.deps.resumeCheckMs ?? 1000);
    this.resumeTimer.unref();
  }

  private async tryResume(): Promise<void> {
    if (!this.paused || this.stopping) return;
    const down = await this.deps.probe.probe(this.spec.dependencies).catch(() => this.spec.dependencies.slice());
    if (down.length > 0) {
      this.paused.deps = down;
      return this.scheduleResumeCheck();
    }
    const pausedMs = Date.now() - this.paused.since;
    this.paused = undefined;
    this.deps.logger.info({ queue: this.name, pausedMs }, 'dependencies back: consumer resumed');
    const held = this.held.splice(0);
    for (const d of held) if (!d.done) this.pump.push(d);
    const a = this.attached;
    if (a && !a.consumerTag && a.generation === this.generation) {
      await this.consume(a).catch((err: unknown) => {
        // The channel died meanwhile: the next connect's setup attaches (the consumer is no longer paused).
        this.deps.logger.warn({ err, queue: this.name }, 'could not re-attach after the pause; waiting for the reconnect');
      });
    }
  }

  /** Sends a copy through a delay queue (or to the parking lot), then acks the original. */
  private async apply(d: Delivery, step: RetryStep, why: string, cause?: Cause): Promise<void> {
    if (d.done) return;
    if (step.kind === 'park') return this.park(d, step.reason, step.headers);
    if (this.spec.source.kind === 'exclusive') {
      // A broadcast for this process alone: a lost one costs at most a short undersell (flags expire).
      this.deps.logger.warn({ queue: this.name, why }, 'broadcast not handled; dropped');
      return d.ack();
    }
    try {
      await this.deps.publisher.publishBytes(Exchange.RETRY, retryRoutingKey(step.delay, this.spec.source.queue), d.body, this.copyMeta(d, step.headers));
      if (cause) metrics.messageRetries.inc({ queue: this.name, cause });
      d.ack();
    } catch (err) {
      this.hold(d, err);
    }
  }

  private async park(d: Delivery, reason: 'unparseable' | 'failed' | 'crash_loop', headers: Record<string, unknown>): Promise<void> {
    if (d.done) return;
    metrics.messagesParked.inc({ queue: this.name, reason });
    this.deps.logger.error({ queue: this.name, reason, uuid: d.uuid, failures: headers['x-seckill-failures'], lastError: headers['x-seckill-last-error'] }, 'message parked');
    if (this.spec.source.kind === 'exclusive') return d.ack();
    try {
      await this.deps.publisher.publishBytes(Exchange.DEAD_LETTER, this.spec.source.queue, d.body, this.copyMeta(d, { ...headers, 'x-seckill-parked-reason': reason }));
      d.ack();
    } catch {
      // The broker dead-letters it itself (without the history headers).
      d.reject();
    }
  }

  /** Keeps a message the broker cannot take a copy of right now; it is handled again when the consumer resumes. */
  private hold(d: Delivery, err: unknown): void {
    this.held.push(d);
    this.deps.logger.warn({ err, queue: this.name, uuid: d.uuid, held: this.held.length }, 'could not send the message to a delay queue; holding it until the broker answers');
    if (!this.paused) this.pause(['rabbitmq'], err);
  }

  private copyMeta(d: Delivery, headers: Record<string, unknown>): PublishMeta {
    const p = d.message.properties;
    return {
      ...(d.uuid ? { uuid: d.uuid } : {}),
      headers,
      properties: {
        ...(p.messageId ? { messageId: String(p.messageId) } : {}),
        ...(p.contentType ? { contentType: String(p.contentType) } : {}),
        ...(p.timestamp ? { timestamp: Number(p.timestamp) } : {}),
      },
    };
  }
}
