import { Agent, request } from 'node:http';
import type { FuzzCase } from './cases';
import type { Outcome } from './judge';

/**
 * Sends one case exactly as generated: node:http (not fetch), because fetch normalises `..` in paths and refuses
 * the odd header bytes the fuzzer means to send. A transport error on a reused keep-alive socket is retried once on
 * a fresh connection (the server may close an idle socket just as it is reused: that is not a reset of this
 * request); one on a fresh connection is reported.
 */
export class Sender {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(c: FuzzCase): Promise<Outcome> {
    const first = await this.once(c, this.agent);
    if (first.outcome.transportError && first.reused) return (await this.once(c, false)).outcome;
    return first.outcome;
  }

  close(): void {
    this.agent.destroy();
  }

  private once(c: FuzzCase, agent: Agent | false): Promise<{ outcome: Outcome; reused: boolean }> {
    const url = new URL(this.baseUrl);
    return new Promise((resolve) => {
      let reused = false;
      let req;
      try {
        const body = c.body === undefined ? undefined : Buffer.from(c.body, 'utf8');
        req = request({
          host: url.hostname,
          port: url.port,
          method: c.method,
          path: c.path,
          agent,
          headers: { ...c.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
          timeout: this.timeoutMs,
        });
        req.on('socket', () => (reused = req!.reusedSocket));
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ outcome: { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }, reused }));
          res.on('error', (e) => resolve({ outcome: { transportError: e.message }, reused }));
        });
        req.on('timeout', () => req!.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
        req.on('error', (e: NodeJS.ErrnoException) => resolve({ outcome: { transportError: e.code ?? e.message }, reused }));
        req.end(body);
      } catch (e) {
        // node:http refused to send it (a header byte it does not allow): a generator bug, not a server one.
        throw new Error(`the client could not send ${c.method} ${c.path}: ${(e as Error).message}`);
      }
    });
  }
}
