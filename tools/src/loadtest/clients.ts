import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { addCounts, emptyCounts, type AgentCounts, type AgentInit, type AgentMessage, type ParentMessage, type RequestRecord } from './protocol';

/**
 * The client processes (agent.ts), seen from the parent: each is forked with its own open-file limit and
 * holds its share of the shoppers. The parent only hands out work, sums the progress and gathers records.
 */
export class ClientFleet {
  private readonly counts = new Map<number, AgentCounts>();
  private readonly records = new Map<number, RequestRecord[]>();
  private readonly apiSends = new Map<number, number[]>();
  private readonly openMs = new Map<number, number>();
  private readonly incomplete = new Set<number>();
  private readonly waiters: (() => void)[] = [];
  private failure?: string;

  private constructor(private readonly children: ChildProcess[]) {}

  static start(inits: AgentInit[]): ClientFleet {
    const children = inits.map(() =>
      // No inherited --cpu-prof/--inspect: a profile of the load tool would be written once per child.
      fork(join(__dirname, 'agent.js'), [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    const fleet = new ClientFleet(children);
    children.forEach((child, i) => {
      fleet.counts.set(i, emptyCounts());
      child.on('message', (m: AgentMessage) => fleet.onMessage(m));
      child.on('exit', (code, signal) => {
        if (!fleet.records.has(i)) fleet.fail(`client process ${i} exited (${signal ?? code}) before reporting`);
      });
      child.send(inits[i]! satisfies ParentMessage);
    });
    return fleet;
  }

  /** Sum over every client process of what it has done so far. */
  get total(): AgentCounts {
    return [...this.counts.values()].reduce(addCounts, emptyCounts());
  }

  /** Slowest client's preparation (sockets and connections opened), once all are ready. */
  get preparedMs(): number {
    return Math.max(0, ...this.openMs.values());
  }

  get size(): number {
    return this.children.length;
  }

  private onMessage(m: AgentMessage): void {
    switch (m.type) {
      case 'progress':
        this.counts.set(m.client, m.counts);
        break;
      case 'ready':
        this.counts.set(m.client, m.counts);
        this.openMs.set(m.client, m.openMs);
        break;
      case 'done':
        this.counts.set(m.client, m.counts);
        this.records.set(m.client, m.records);
        this.apiSends.set(m.client, m.apiSends);
        if (!m.complete) this.incomplete.add(m.client);
        // Its work is reported: let it exit (it exits when the channel closes).
        this.children[m.client]?.disconnect();
        break;
      case 'failed':
        this.fail(`client process ${m.client}: ${m.error}`);
        break;
    }
    for (const w of this.waiters.splice(0)) w();
  }

  private fail(message: string): void {
    this.failure ??= message;
    for (const w of this.waiters.splice(0)) w();
  }

  private async until(check: () => boolean, deadline: number): Promise<boolean> {
    while (!check()) {
      if (this.failure) throw new Error(this.failure);
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  /** Resolves true once every client has its sockets and connections open; false at the deadline. */
  ready(deadline: number): Promise<boolean> {
    return this.until(() => this.openMs.size === this.children.length, deadline);
  }

  /** `itemId`: the sale's item when the clients were started before it existed (the waiting room's sale). */
  fire(at: number, itemId?: number): void {
    for (const c of this.children) c.send({ type: 'fire', at, ...(itemId !== undefined ? { itemId } : {}) } satisfies ParentMessage);
  }

  /**
   * Every record, once each client has resolved all its requests or the deadline passed. At the deadline the
   * clients are told to stop and report what they have; a client that cannot even do that within `graceMs`
   * is lost (and the run says so).
   */
  async results(deadline: number, graceMs = 10_000): Promise<{ records: RequestRecord[]; complete: boolean; lost: number[]; apiSends: number[] }> {
    const all = () => this.records.size === this.children.length;
    if (!(await this.until(all, deadline).catch(() => false))) {
      this.stop();
      this.failure = undefined;
      await this.until(all, Date.now() + graceMs).catch(() => false);
    }
    const lost = this.children.map((_, i) => i).filter((i) => !this.records.has(i));
    const complete = lost.length === 0 && this.incomplete.size === 0;
    return { records: [...this.records.values()].flat().sort((a, b) => a.index - b.index), complete, lost, apiSends: [...this.apiSends.values()].flat() };
  }

  /** Asks every client still working to report what it has now. */
  stop(): void {
    this.children.forEach((c, i) => {
      if (!this.records.has(i) && c.connected) c.send({ type: 'stop' } satisfies ParentMessage);
    });
  }

  kill(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}
