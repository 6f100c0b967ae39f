import { createHash, randomUUID } from 'node:crypto';

/** Namespace for order request ids (a fixed random UUID; changing it would break idempotency across deploys). */
const NAMESPACE = Buffer.from('6f1c2d3e4a5b46c7889900aabbccddee', 'hex');

/**
 * The uuid of an order request. With a client `requestId` it is derived (RFC 4122 v5) from the user and the
 * requestId, so a retry lands on the same uuid without any lookup, and two users choosing the same requestId
 * never collide. Without one, it is random.
 */
export function requestUuid(userId: number, requestId?: string): string {
  if (!requestId) return randomUUID();
  const h = createHash('sha1').update(NAMESPACE).update(`${userId}:${requestId.toLowerCase()}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
