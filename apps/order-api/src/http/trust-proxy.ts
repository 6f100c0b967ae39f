/**
 * Fastify's `trustProxy` from TRUST_PROXY: a hop count (`1`: the one proxy in front) or addresses/CIDRs of the
 * proxies whose X-Forwarded-For is believed. Unset: no proxy is trusted, so request.ip is the TCP peer and a
 * client cannot claim another address (which the per-IP limits would otherwise believe).
 */
export function trustProxySetting(value: string | undefined): false | number | string[] {
  if (value === undefined) return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((a) => a.trim()).filter((a) => a !== '');
}
