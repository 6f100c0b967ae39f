/**
 * A random (v4) UUID for the order's `requestId`. crypto.randomUUID exists only in secure contexts (https,
 * localhost): a phone on the shop's LAN address over plain http has getRandomValues but not randomUUID.
 */
export function newRequestId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  // RFC 4122: version 4 in the high nibble of byte 6, variant 10xx in byte 8.
  const hex = Array.from(b, (x, i) => (i === 6 ? (x & 0x0f) | 0x40 : i === 8 ? (x & 0x3f) | 0x80 : x).toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
