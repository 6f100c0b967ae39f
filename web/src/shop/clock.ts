/**
 * The server's clock as seen from this browser. Countdowns to a sale's start must agree with the server that
 * decides whether the sale has started, not with a phone whose clock is minutes off.
 */
let offsetMs = 0;

/** Fed with the Date header of every answer. */
export function observeServerDate(header: string | null): void {
  if (!header) return;
  const server = Date.parse(header);
  if (Number.isNaN(server)) return;
  // The header has a resolution of one second (truncated): half a second is its expected error, and a
  // difference within the resolution is noise rather than skew.
  const diff = server + 500 - Date.now();
  offsetMs = Math.abs(diff) > 1500 ? diff : 0;
}

export function serverNow(): number {
  return Date.now() + offsetMs;
}

/** `2d 03:04:05`, `03:04:05` or `04:05`; never negative. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = hours > 0 || days > 0 ? `${two(hours)}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
  return days > 0 ? `${days}d ${clock}` : clock;
}

/** The same duration in words, for screen readers (a ticking `04:05` read aloud every second helps no one). */
export function describeDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const parts: string[] = [];
  const units: [number, string][] = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  let rest = total;
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 && parts.length < 2) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
  }
  return parts.length > 0 ? parts.join(' ') : '0 seconds';
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}
