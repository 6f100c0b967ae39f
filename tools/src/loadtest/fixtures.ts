import type { RequestRecord } from './protocol';
import { computeFigures, type Figures, type RunInfo } from './summary';

/** A small finished sale for the unit tests of the summary and the report: 10 shoppers, 3 units. */
const T0 = 1_800_000_000_000;

/** Times in ms after T0: 3 accepted with pushed outcomes, 6 sold out, 1 lost on the transport. */
export function sampleRecords(): RequestRecord[] {
  const base = (index: number): RequestRecord => ({ index, userId: 100 + index, requestId: `req-${index}`, client: index % 2, socket: 'open', conflictingFrames: 0 });
  const records: RequestRecord[] = [];
  for (let i = 0; i < 3; i++) {
    records.push({
      ...base(i),
      issuedAt: T0 + i,
      sentAt: T0 + i,
      answeredAt: T0 + 100 + i * 10,
      status: 202,
      uuid: `req-${i}`,
      outcome: { status: 'SUCCESS', orderNo: `N${i}`, at: T0 + 200 + i * 100, via: 'push' },
    });
  }
  for (let i = 3; i < 9; i++) records.push({ ...base(i), issuedAt: T0 + i, sentAt: T0 + i, answeredAt: T0 + 50 + i, status: 409, code: 'SOLD_OUT' });
  records.push({ ...base(9), issuedAt: T0 + 9, sentAt: T0 + 9, answeredAt: T0 + 80, error: 'ECONNRESET' });
  return records;
}

export const sampleRun: RunInfo = {
  startedAt: '2027-01-15T08:00:00.000Z',
  command: 'npm run loadtest -- --shoppers 10 --stock 3',
  mode: 'self-hosted',
  system: 'self-hosted: 2 order-api, 1 order-worker, 2 websocket-notifier',
  pattern: 'burst',
  shoppers: 10,
  stock: 3,
  itemId: 7,
  clientProcesses: 2,
  httpConnections: 'one per shopper',
  host: { cpus: 2, node: 'v20.20.2', platform: 'linux/x64', openFileLimit: 20000 },
  timedOut: false,
  interrupted: false,
  lostClients: 0,
  retries: 5,
};

export function sampleFigures(): Figures {
  return computeFigures(sampleRecords(), sampleRun, { saleAndShoppersMs: 40, socketsMs: 300, socketsOpen: 10, socketsFailed: 0, connectionsOpen: 10 }, [
    { name: 'sold = stock', ok: true, detail: '3 orders in PostgreSQL, stock_left 0, stock 3' },
    { name: 'every order request was answered', ok: false, detail: '9 of 10 got an HTTP status; 1 failed on the transport (ECONNRESET)' },
  ]);
}
