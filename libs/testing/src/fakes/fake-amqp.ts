import { EventEmitter } from 'node:events';
import type { ConfirmChannel, GetMessage, Message, MessageProperties, Options, Replies } from 'amqplib';

/** What a test puts in a queue: a body (JSON unless a string or Buffer) and any properties. */
export interface FakeAmqpMessage {
  content: Buffer;
  properties: MessageProperties;
}

type Op = 'get' | 'sendToQueue' | 'waitForConfirms' | 'ack';

/** amqplib's error for an operation on a closed channel or connection (a RabbitMQ fault by its name). */
class IllegalOperationError extends Error {
  override name = 'IllegalOperationError';
}

const NO_PROPERTIES: MessageProperties = {
  contentType: undefined,
  contentEncoding: undefined,
  headers: undefined,
  deliveryMode: undefined,
  priority: undefined,
  correlationId: undefined,
  replyTo: undefined,
  expiration: undefined,
  messageId: undefined,
  timestamp: undefined,
  type: undefined,
  userId: undefined,
  appId: undefined,
  clusterId: undefined,
};

/**
 * A RabbitMQ broker in memory, reached through `connect(url)` as through amqplib's: queues the test fills
 * (`put`) and reads (`queues`), and confirm channels with checkQueue, basic.get, ack, sendToQueue (the
 * default exchange: straight into the named queue) and waitForConfirms. A message got and not acked goes
 * back to the head of its queue when its channel or connection closes, as RabbitMQ requeues it.
 *
 * `consume(queue, handler)` stands for a consumer that takes every message sent to `queue`.
 *
 * Faults: `refuseNext(err)` makes the next connect fail (the broker unreachable); `dropAt(op, n)` loses the
 * connection at the n-th `op` from now, with amqplib's errors (a pending confirm: `channel closed`, a pending
 * get: `Channel ended…`, anything later: IllegalOperationError `Channel closed` / `Connection closed`), a
 * message already sent staying sent. amqplib reports a lost connection, and a channel the server closes (a
 * checkQueue of a queue that does not exist), as an 'error' event; one nobody listens to is an uncaught
 * exception that ends the process, so it is kept in `uncaught` instead.
 */
export class FakeAmqpBroker {
  readonly queues = new Map<string, FakeAmqpMessage[]>();
  private nacks = 0;
  /** The URL of every connect, refused or not. */
  readonly urls: string[] = [];
  /** What the channels did, in order: `get <queue>`, `send <queue>`, `confirm`, `ack`. */
  readonly log: string[] = [];
  /** 'error' events no one listened to: in a real process, an uncaught exception (and an exit). */
  readonly uncaught: Error[] = [];
  readonly connections: FakeAmqpConnection[] = [];
  private readonly consumers = new Map<string, (message: FakeAmqpMessage) => void>();
  private refusals: unknown[] = [];
  private drop?: { op: Op; left: number };

  /** Adds messages to the tail of `queue` (declared if it was not). */
  put(queue: string, ...messages: { body: unknown; properties?: Partial<MessageProperties> }[]): void {
    const q = this.queue(queue);
    for (const m of messages) {
      const content = Buffer.isBuffer(m.body) ? m.body : Buffer.from(typeof m.body === 'string' ? m.body : JSON.stringify(m.body));
      q.push({ content, properties: { ...NO_PROPERTIES, ...(m.properties ?? {}) } });
    }
  }

  /** The messages of `queue`, declared (empty) if it was not. */
  queue(queue: string): FakeAmqpMessage[] {
    let q = this.queues.get(queue);
    if (!q) this.queues.set(queue, (q = []));
    return q;
  }

  /** The bodies in `queue`, parsed as JSON where they are. */
  bodies(queue: string): unknown[] {
    return (this.queues.get(queue) ?? []).map((m) => {
      try {
        return JSON.parse(m.content.toString()) as unknown;
      } catch {
        return m.content.toString();
      }
    });
  }

  /** A consumer on `queue`: every message sent there from now on is handed to it rather than kept. */
  consume(queue: string, handler: (message: FakeAmqpMessage) => void): void {
    this.consumers.set(queue, handler);
  }

  /** A message arrives in `queue` (from a channel's sendToQueue). */
  deliver(queue: string, message: FakeAmqpMessage): void {
    const consumer = this.consumers.get(queue);
    if (consumer) consumer(message);
    else this.queue(queue).push(message);
  }

  refuseNext(err: unknown): void {
    this.refusals.push(err);
  }

  dropAt(op: Op, nth = 1): void {
    this.drop = { op, left: nth };
  }

  /** The broker refuses the next message sent (a resource alarm, say): it is not stored, and its confirm is a nack. */
  nackNext(): void {
    this.nacks += 1;
  }

  /** Whether the message being sent now is to be refused (and so no longer pending). */
  takesNack(): boolean {
    if (this.nacks === 0) return false;
    this.nacks -= 1;
    return true;
  }

  /** amqplib's connect. */
  readonly connect = async (url: string): Promise<FakeAmqpConnection> => {
    this.urls.push(url);
    const refusal = this.refusals.shift();
    if (refusal !== undefined) throw refusal;
    const connection = new FakeAmqpConnection(this);
    this.connections.push(connection);
    return connection;
  };

  /** Called by a channel before each operation: true when the connection is lost right there. */
  dropsAt(op: Op): boolean {
    if (this.drop?.op !== op || --this.drop.left > 0) return false;
    this.drop = undefined;
    return true;
  }

  /** An 'error' event as amqplib emits it: kept when no one listens (it would be thrown out of a socket callback). */
  emitError(emitter: EventEmitter, err: Error): void {
    if (emitter.listenerCount('error') > 0) emitter.emit('error', err);
    else this.uncaught.push(err);
  }
}

export class FakeAmqpConnection extends EventEmitter {
  closed?: string;
  readonly channels: FakeConfirmChannel[] = [];

  constructor(readonly broker: FakeAmqpBroker) {
    super();
  }

  async createConfirmChannel(): Promise<FakeConfirmChannel> {
    if (this.closed) throw new IllegalOperationError(this.closed);
    const channel = new FakeConfirmChannel(this);
    this.channels.push(channel);
    return channel;
  }

  async close(): Promise<void> {
    if (this.closed) throw new IllegalOperationError(this.closed);
    this.closed = 'Connection closed (by client)';
    for (const ch of this.channels) ch.closedWith('Channel closed');
  }

  /** The socket is gone (the broker stopped, the network cut). */
  lose(err = new Error('Unexpected close')): void {
    this.closed = `Connection closed (${err.toString()})`;
    for (const ch of this.channels) ch.closedWith('Channel closed');
    this.broker.emitError(this, err);
  }
}

type ChannelSurface = Pick<ConfirmChannel, 'checkQueue' | 'get' | 'sendToQueue' | 'waitForConfirms' | 'ack' | 'close'>;

export class FakeConfirmChannel extends EventEmitter implements ChannelSurface {
  private closed?: string;
  private nacked = false;
  private tag = 0;
  private readonly unacked = new Map<number, { queue: string; message: FakeAmqpMessage }>();

  constructor(private readonly connection: FakeAmqpConnection) {
    super();
  }

  private get broker(): FakeAmqpBroker {
    return this.connection.broker;
  }

  private open(): void {
    if (this.closed) throw new IllegalOperationError(this.closed);
  }

  /** Unacked messages go back to the head of their queues, in their order. */
  closedWith(reason: string): void {
    if (this.closed) return;
    this.closed = reason;
    for (const { queue, message } of [...this.unacked.values()].reverse()) this.broker.queue(queue).unshift(message);
    this.unacked.clear();
  }

  async checkQueue(queue: string): Promise<Replies.AssertQueue> {
    this.open();
    const q = this.broker.queues.get(queue);
    if (!q) {
      const err = Object.assign(new Error(`Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue '${queue}' in vhost '/'"`), { code: 404 });
      this.closedWith('Channel closed');
      this.broker.emitError(this, new Error(`Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no queue '${queue}' in vhost '/'"`));
      throw err;
    }
    return { queue, messageCount: q.length, consumerCount: 0 };
  }

  async get(queue: string, options?: Options.Get): Promise<GetMessage | false> {
    this.open();
    if (this.broker.dropsAt('get')) {
      this.connection.lose();
      throw new Error('Channel ended, no reply will be forthcoming');
    }
    const q = this.broker.queues.get(queue);
    const message = q?.shift();
    this.broker.log.push(`get ${queue}`);
    if (!message) return false;
    const deliveryTag = ++this.tag;
    if (options?.noAck === false) this.unacked.set(deliveryTag, { queue, message });
    return {
      content: message.content,
      fields: { deliveryTag, redelivered: false, exchange: '', routingKey: queue, messageCount: q?.length ?? 0 },
      properties: message.properties,
    };
  }

  sendToQueue(queue: string, content: Buffer, options: Options.Publish = {}): boolean {
    this.open();
    if (this.broker.dropsAt('sendToQueue')) {
      this.connection.lose();
      this.open();
    }
    // What arrives is the options amqplib encodes as properties; `persistent` decides the delivery mode.
    const given = options as Record<string, unknown>;
    const properties = Object.fromEntries(Object.keys(NO_PROPERTIES).map((key) => [key, given[key]])) as unknown as MessageProperties;
    if (options.persistent !== undefined) properties.deliveryMode = options.persistent ? 2 : 1;
    if (this.broker.takesNack()) {
      this.broker.log.push(`send ${queue} (nacked)`);
      this.nacked = true;
      return true;
    }
    this.broker.log.push(`send ${queue}`);
    this.broker.deliver(queue, { content, properties });
    return true;
  }

  async waitForConfirms(): Promise<void> {
    this.open();
    if (this.nacked) {
      this.nacked = false;
      throw new Error('message nacked'); // amqplib's words for a confirm that came back negative
    }
    if (this.broker.dropsAt('waitForConfirms')) {
      this.connection.lose();
      throw new Error('channel closed');
    }
    this.broker.log.push('confirm');
  }

  ack(message: Message): void {
    this.open();
    if (this.broker.dropsAt('ack')) {
      this.connection.lose();
      this.open();
    }
    if (!this.unacked.delete(message.fields.deliveryTag)) throw new Error(`PRECONDITION_FAILED - unknown delivery tag ${message.fields.deliveryTag}`);
    this.broker.log.push('ack');
  }

  async close(): Promise<void> {
    this.open();
    this.closedWith('Channel closed');
  }
}
