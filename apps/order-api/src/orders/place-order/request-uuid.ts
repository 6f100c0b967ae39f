import { randomUUID } from 'node:crypto';

/**
 * The uuid of an order request is the client's `requestId` when it sent one: the browser can then open its
 * WebSocket on that uuid before it posts, and a retry lands on the same uuid. Without one, it is random.
 * (Ownership is checked where it is used: a uuid already taken by another shopper is refused.)
 */
export function requestUuid(requestId?: string): string {
  return requestId ? requestId.toLowerCase() : randomUUID();
}
