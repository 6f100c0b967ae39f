import WebSocket from 'ws';

/**
 * One client process of the socket capacity run (sockets.ts forks several: a process may open only as many
 * sockets as its RLIMIT_NOFILE allows, and one source address only ~28,000 connections to one port). It opens
 * a socket per uuid it is given, from its own loopback address, and records when frames arrive.
 */
export interface ClientJob {
  url: string;
  token: string;
  uuids: string[];
  localAddress: string;
}

export type ClientReport =
  | { type: 'progress'; opened: number }
  | { type: 'opened'; opened: number; open: number }
  | { type: 'frames'; count: number; firstAt: number; lastAt: number }
  | { type: 'failed'; message: string };

const WAVE = 500;

function send(report: ClientReport): void {
  process.send?.(report);
}

async function open(job: ClientJob): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let at = 0; at < job.uuids.length; at += WAVE) {
    await Promise.all(
      job.uuids.slice(at, at + WAVE).map(
        (uuid) =>
          new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(`${job.url}/${uuid}?token=${job.token}`, { localAddress: job.localAddress, perMessageDeflate: false });
            sockets.push(ws);
            ws.once('open', () => resolve());
            ws.once('error', reject);
            ws.once('close', (code) => reject(new Error(`socket closed with ${code}`)));
          }),
      ),
    );
    send({ type: 'progress', opened: Math.min(at + WAVE, job.uuids.length) });
  }
  return sockets;
}

function run(job: ClientJob): void {
  let count = 0;
  let firstAt = 0;
  let lastAt = 0;
  open(job)
    .then((sockets) => {
      for (const ws of sockets) {
        ws.on('message', () => {
          const now = Date.now();
          if (count++ === 0) firstAt = now;
          lastAt = now;
        });
      }
      send({ type: 'opened', opened: sockets.length, open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length });
      process.on('message', (m: { type: string }) => {
        if (m.type === 'report') send({ type: 'frames', count, firstAt, lastAt });
      });
    })
    .catch((err: unknown) => send({ type: 'failed', message: err instanceof Error ? err.message : String(err) }));
}

if (require.main === module) process.once('message', (job: ClientJob) => run(job));
