/** The API's prices are decimal strings without a currency; the shop sells in US dollars. */
const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export function formatPrice(amount: string): string {
  const n = Number(amount);
  return Number.isFinite(n) ? dollars.format(n) : amount;
}

/** Whole percent saved, e.g. 90 for 100.00 → 9.90; null when there is no saving to show. */
export function discountPercent(price: string, seckillPrice: string): number | null {
  const was = Number(price);
  const now = Number(seckillPrice);
  if (!(was > 0) || !(now >= 0) || now >= was) return null;
  return Math.round((1 - now / was) * 100);
}
