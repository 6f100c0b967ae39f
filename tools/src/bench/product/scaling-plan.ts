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
