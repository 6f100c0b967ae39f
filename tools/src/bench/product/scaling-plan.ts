/** What the scaling measurement runs: its rows and how a row's sale is laid out. Pure. */

export interface ScalingRow {
  /** Sale items live at once; the orders are spread over all of them. */
  items: number;
  /** Distinct shoppers (tokens) of the row. */
  shoppers: number;
  /** Units of the row's sale: min(scaling units, shoppers), one per shopper. */
  units: number;
}

/**
 * One row per live-item count (with as many shoppers as the sale has units), then one per shopper count (one
 * item); the row both lists share is run once. The first row is the base the others are compared with.
 */
export function scalingRows(items: readonly number[], shoppers: readonly number[], units: number): ScalingRow[] {
  const rows: ScalingRow[] = [];
  const add = (i: number, s: number) => {
    if (!rows.some((r) => r.items === i && r.shoppers === s)) rows.push({ items: i, shoppers: s, units: Math.min(units, s) });
  };
  for (const i of [...items].sort((a, b) => a - b)) add(i, units);
  for (const s of [...shoppers].sort((a, b) => a - b)) add(1, s);
  return rows;
}

/**
 * `units` spread as evenly as possible over `items`: item k gets one more than the rest when k < units % items,
 * exactly the orders that shopper j → item j mod items sends it. Items beyond `units` get none (live, sold out).
 */
export function spreadUnits(units: number, items: number): number[] {
  const base = Math.floor(units / items);
  const extra = units % items;
  return Array.from({ length: items }, (_, k) => base + (k < extra ? 1 : 0));
}

/** One row of the scaling table, as kept in the JSON (`detail.rows`). */
export interface ScalingResult extends ScalingRow {
  /** Before the flood, one request per sold-out item (order-api loads its window and stock, sets its flag): per second. */
  firstTouchPerSec: number;
  firstTouchItems: number;
  /** Sold-out flood: 409 answers per second, and every answer by status. */
  soldOutPerSec: number;
  soldOutCodes: Record<string, number>;
  soldOutP99Ms: number;
  /** The sale: 202 answers per second (first request to last 202), first request to last 202, units sold. */
  acceptedPerSec: number;
  sellOutSeconds: number;
  sold: number;
  saleCodes: Record<string, number>;
  saleP99Ms: number;
  /** Cores order-api used during the flood and during the sale. */
  orderApiCoresFlood: number;
  orderApiCoresSale: number;
}


/**
 * Each row's figures over several passes, each the best of its passes (the highest rates, the shortest sell-out
 * time): on a shared machine a neighbour only ever slows a pass down. The rest of a row comes from its first pass.
 */
export function bestOfPasses(passes: readonly (readonly ScalingResult[])[]): ScalingResult[] {
  const first = passes[0] ?? [];
  const max = (ns: number[]) => (ns.some(Number.isFinite) ? Math.max(...ns.filter(Number.isFinite)) : Number.NaN);
  const min = (ns: number[]) => (ns.some(Number.isFinite) ? Math.min(...ns.filter(Number.isFinite)) : Number.NaN);
  return first.map((row, i) => {
    const same = passes.map((p) => p[i]).filter((r): r is ScalingResult => r !== undefined);
    return {
      ...row,
      firstTouchPerSec: max(same.map((r) => r.firstTouchPerSec)),
      soldOutPerSec: max(same.map((r) => r.soldOutPerSec)),
      acceptedPerSec: max(same.map((r) => r.acceptedPerSec)),
      sellOutSeconds: min(same.map((r) => r.sellOutSeconds)),
      sold: Math.max(...same.map((r) => r.sold)),
    };
  });
}
