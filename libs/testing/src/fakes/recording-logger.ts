import type { PinoLogger } from 'nestjs-pino';
import { asReal, type Public } from './public';

export interface LoggedLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  obj: unknown;
  msg?: string;
}

/** A PinoLogger that keeps what it was told (tests may look at the lines), and prints nothing. */
export function recordingLogger(): { logger: PinoLogger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at =
    (level: LoggedLine['level']) =>
    (obj: unknown, msg?: string): void => {
      lines.push({ level, obj, ...(msg !== undefined ? { msg } : {}) });
    };
  const fake: Partial<Public<PinoLogger>> = {
    setContext: () => undefined,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
  };
  return { logger: asReal<PinoLogger>(fake as Public<PinoLogger>), lines };
}
