import { setTimeout as sleep } from 'node:timers/promises';
import { OrderConnections, OutcomePoller, type Answer } from './fire';
import { emptyCounts, now, type AgentInit, type AgentMessage, type ParentMessage, type RequestRecord, type Shopper } from './protocol';
import { decideRetry } from './retry';
import { RoomShoppers } from './room-shopper';
import { bounded, openSocket, type ResultFrame, type ShopperSocket } from './sockets';

/**
 * A client process of the load tool (forked by clients.ts). It holds a share of the shoppers: their WebSockets,
 * their HTTP connections, and the record of each one's request. Sockets and connections live here rather than
 * in the parent because one process may hold at most `ulimit -n` of them; and the click and the pushed frame
 * are timed in the same process, so a latency never mixes two clocks.
 */

const REOPEN_ATTEMPTS = 3;
/** A request that failed on the transport may still have been taken; polls answering 404 this often mean it was not. */
const NOT_FOUND_GIVE_UP = 5;

class Agent {
  private readonly counts = emptyCounts();
  private readonly records: RequestRecord[];
  private readonly recordOf = new Map<number, RequestRecord>();
  private readonly sockets = new Map<number, ShopperSocket>();
  private readonly connections: OrderConnections;
  private readonly poller = new OutcomePoller();
  private readonly polling = new Set<number>();
  /** Shoppers between a 503 TRY_AGAIN and their next attempt. */
  private readonly backingOff = new Map<number, NodeJS.Timeout>();
  private unresolved: number;
  private finished = false;
  private readonly progressTimer: NodeJS.Timeout;
  private deadlineTimer?: NodeJS.Timeout;
  /** The waiting room's sale comes with the fire message. */
  private itemId: number;
  /** When each request to order-api went on the wire: what the peak request rate is counted from. */
  private readonly apiSends: number[] = [];
  /** Admitted shoppers' tokens: a retried order carries the same one. */
  private readonly admissions = new Map<number, string>();
  private readonly room?: RoomShoppers;
  /** Order sockets being opened beside their order (waiting room). */
  private readonly opening = new Set<number>();

  constructor(private readonly init: AgentInit) {
    this.itemId = init.itemId;
    this.records = init.shoppers.map((s) => ({ index: s.index, userId: s.userId, requestId: s.requestId, client: init.client, socket: 'failed', conflictingFrames: 0 }));
    for (const r of this.records) this.recordOf.set(r.index, r);
    this.unresolved = init.shoppers.length;
    this.connections = new OrderConnections(init.poolSize, [...new Set(init.shoppers.map((s) => s.api))]);
    let last = '';
    this.progressTimer = setInterval(() => {
      const snapshot = JSON.stringify(this.counts);
      if (snapshot !== last) this.send({ type: 'progress', client: init.client, counts: { ...this.counts } });
      last = snapshot;
    }, 200);
    if (init.room) {
      this.room = new RoomShoppers({
        itemId: () => this.itemId,
        isFinished: () => this.finished,
        deadline: init.deadline,
        retry: init.retry,
        pollIntervalMs: init.pollIntervalMs,
        connections: this.connections,
        poller: this.poller,
        counts: this.counts,
        record: (s) => this.recordOf.get(s.index)!,
        apiSent: () => void this.apiSends.push(now()),
        order: (s, token) => this.orderAdmitted(s, token),
        resolved: () => this.resolved(),
      });
    }
  }

  /**
   * Preparation: every shopper's socket and (per-shopper mode) connection, in bounded waves. In the waiting room
   * the order socket waits for the admission (the room socket needs the join first), so only connections open.
   */
  async prepare(): Promise<void> {
    const started = now();
    this.deadlineTimer = setTimeout(() => this.finish(), Math.max(0, this.init.deadline - Date.now()));
    await bounded(this.init.shoppers, this.init.openConcurrency, async (s) => {
      if (this.finished) return;
      if (!this.room) await this.openSocketOf(s);
      try {
        if (await this.connections.open(s, this.itemId)) this.counts.connectionsOpen++;
      } catch {
        // post() opens a fresh connection at fire time instead
      }
    });
    if (!this.finished) this.send({ type: 'ready', client: this.init.client, counts: { ...this.counts }, openMs: now() - started });
  }

  private async openSocketOf(s: Shopper): Promise<void> {
    const rec = this.recordOf.get(s.index)!;
    const url = `${s.notifier}/${s.requestId}?token=${encodeURIComponent(s.token)}`;
    for (let attempt = 1; attempt <= REOPEN_ATTEMPTS; attempt++) {
      try {
        const socket = await openSocket(url, {
          onResult: (frame) => this.onResult(s, frame),
          onDrop: (code) => this.onDrop(s, code),
        });
        this.sockets.set(s.index, socket);
        rec.socket = 'open';
        this.counts.socketsOpen++;
        // Opened beside the order (waiting room): a refusal that came first has no outcome to wait for.
        if (rec.status !== undefined && rec.status !== 202 && !this.backingOff.has(s.index)) socket.close();
        return;
      } catch {
        if (this.finished) return;
        await sleep(100 * attempt);
      }
    }
    this.counts.socketsFailed++;
    if (rec.status === 202 && !rec.outcome) this.startPolling(s);
  }

  fire(at: number, itemId?: number): void {
    if (itemId !== undefined) this.itemId = itemId;
    const shoppers = [...this.init.shoppers].sort((a, b) => a.offsetMs - b.offsetMs);
    let next = 0;
    const tick = (): void => {
      const elapsed = Date.now() - at;
      // Everything due goes out in one synchronous loop: a burst reaches the wire together.
      while (next < shoppers.length && shoppers[next]!.offsetMs <= elapsed) {
        const s = shoppers[next++]!;
        if (this.room) this.room.join(s);
        else this.click(s);
      }
      if (next < shoppers.length && !this.finished) setTimeout(tick, Math.max(0, shoppers[next]!.offsetMs - (Date.now() - at)));
    };
    setTimeout(tick, Math.max(0, at - Date.now()));
  }

  /**
   * Admitted: the order with the token at once (the token expires), and beside it the order socket the outcome is
   * pushed on; a socket that connects after the outcome gets it at once (the contract), so nothing is lost.
   */
  private orderAdmitted(s: Shopper, token: string | undefined): void {
    if (token !== undefined) this.admissions.set(s.index, token);
    this.opening.add(s.index);
    void this.openSocketOf(s).finally(() => this.opening.delete(s.index));
    this.click(s);
  }

  private click(s: Shopper): void {
    const rec = this.recordOf.get(s.index)!;
    rec.issuedAt = now();
    this.attempt(s, true);
  }

  private attempt(s: Shopper, first: boolean): void {
    const rec = this.recordOf.get(s.index)!;
    const onSent = () => {
      // Known before the answer, so that a request still in flight when the run stops counts as sent.
      rec.sentAt = now();
      this.apiSends.push(rec.sentAt);
      if (first) this.counts.sent++;
    };
    void this.connections.post(s, this.itemId, onSent, this.admissions.get(s.index)).then((answer) => this.onAnswer(s, answer));
  }

  private onAnswer(s: Shopper, a: Answer): void {
    const rec = this.recordOf.get(s.index)!;
    if (this.finished) return;
    rec.answeredAt = a.answeredAt;
    if (a.sentAt !== undefined) rec.sentAt = a.sentAt;
    const attempts = (rec.retried?.length ?? 0) + 1;
    const decision = decideRetry(a, attempts, this.init.retry, Date.now(), this.init.deadline);
    if (decision.retry) {
      // Recorded as the latest answer until the retry goes out: a run stopped meanwhile reports it as the last.
      rec.status = a.status;
      if (a.code !== undefined) rec.code = a.code;
      this.counts.retried++;
      this.backingOff.set(
        s.index,
        setTimeout(() => this.retry(s, { delayMs: decision.delayMs, ...(a.retryAfterMs !== undefined ? { retryAfterMs: a.retryAfterMs } : {}) }), decision.delayMs),
      );
      return;
    }
    if (decision.gaveUp) {
      rec.gaveUp = decision.gaveUp;
      this.counts.gaveUp++;
    }
    this.counts.answered++;
    if (a.error !== undefined) {
      // Lost on the way back, perhaps taken by the server: the outcome (or a 404) tells.
      rec.error = a.error;
      this.startPolling(s);
      return;
    }
    rec.status = a.status;
    if (a.code !== undefined) rec.code = a.code;
    if (a.status === 202) {
      this.counts.accepted++;
      if (a.uuid !== undefined) rec.uuid = a.uuid;
      if (rec.outcome) return this.resolved();
      // A socket still opening polls only if it fails (openSocketOf).
      if (rec.socket !== 'open' && !this.opening.has(s.index)) this.startPolling(s);
      return;
    }
    // No outcome will ever come for a refused order: its page would stop waiting.
    this.sockets.get(s.index)?.close();
    this.resolved();
  }

  /** The same requestId again: the latest answer moves to `retried` and the record describes the new attempt. */
  private retry(s: Shopper, wait: { delayMs: number; retryAfterMs?: number }): void {
    this.backingOff.delete(s.index);
    if (this.finished) return;
    const rec = this.recordOf.get(s.index)!;
    (rec.retried ??= []).push({
      ...(rec.sentAt !== undefined ? { sentAt: rec.sentAt } : {}),
      answeredAt: rec.answeredAt!,
      status: rec.status!,
      ...(rec.code !== undefined ? { code: rec.code } : {}),
      ...wait,
    });
    delete rec.sentAt;
    delete rec.answeredAt;
    delete rec.status;
    delete rec.code;
    this.attempt(s, false);
  }

  private onResult(s: Shopper, frame: ResultFrame): void {
    const rec = this.recordOf.get(s.index)!;
    if (this.finished) return;
    if (rec.outcome) {
      if (rec.outcome.status !== frame.status || rec.outcome.orderNo !== frame.orderNo || rec.outcome.reason !== frame.reason) rec.conflictingFrames++;
      return;
    }
    rec.outcome = { ...frame, at: now(), via: 'push' };
    this.counts.pushed++;
    // The frame may overtake the 202 on a loaded machine; the request resolves when both are in.
    if (rec.status === 202 || rec.error !== undefined) this.resolved();
  }

  private onDrop(s: Shopper, code: number): void {
    const rec = this.recordOf.get(s.index)!;
    if (this.finished || rec.outcome) return;
    rec.socket = 'dropped';
    rec.socketCloseCode = code;
    this.counts.dropped++;
    if (rec.status === 202) this.startPolling(s);
  }

  private startPolling(s: Shopper): void {
    if (this.polling.has(s.index)) return;
    this.polling.add(s.index);
    void this.poll(s);
  }

  private async poll(s: Shopper): Promise<void> {
    const rec = this.recordOf.get(s.index)!;
    let notFound = 0;
    while (!this.finished && !rec.outcome) {
      this.apiSends.push(now());
      const r = await this.poller.once(s, rec.uuid ?? s.requestId);
      if (this.finished || rec.outcome) break;
      if (r.outcome) {
        rec.outcome = { ...r.outcome, at: now(), via: 'poll' };
        this.counts.polled++;
        return this.resolved();
      }
      if (r.status === 404 && rec.error !== undefined && ++notFound >= NOT_FOUND_GIVE_UP) return this.resolved();
      await sleep(this.init.pollIntervalMs);
    }
  }

  private resolved(): void {
    if (--this.unresolved === 0) this.finish();
  }

  /** Reports what there is and exits: everything resolved, the deadline passed, or the parent said stop. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.progressTimer);
    clearTimeout(this.deadlineTimer);
    // Stopped while waiting to retry: the 503 stays their last answer, and the reason is the run's end.
    for (const [index, timer] of this.backingOff) {
      clearTimeout(timer);
      this.recordOf.get(index)!.gaveUp = 'deadline';
      this.counts.gaveUp++;
    }
    this.backingOff.clear();
    this.send({ type: 'done', client: this.init.client, counts: { ...this.counts }, records: this.records, complete: this.unresolved === 0, apiSends: this.apiSends });
    this.room?.close();
    for (const s of this.sockets.values()) s.terminate();
    this.connections.close();
    this.poller.close();
  }

  send(m: AgentMessage): void {
    process.send?.(m);
  }
}

let agent: Agent | undefined;

process.on('message', (m: ParentMessage) => {
  switch (m.type) {
    case 'init':
      agent = new Agent(m);
      agent.prepare().catch((err: unknown) => {
        process.send?.({ type: 'failed', client: m.client, error: err instanceof Error ? err.message : String(err) } satisfies AgentMessage);
      });
      return;
    case 'fire':
      agent?.fire(m.at, m.itemId);
      return;
    case 'stop':
      agent?.finish();
      return;
  }
});

// Ctrl-C reaches the whole process group: the parent decides (it asks for the records first), not the terminal.
process.on('SIGINT', () => undefined);
// The parent went away (Ctrl-C, crash): nothing left to report to.
process.on('disconnect', () => process.exit(0));
