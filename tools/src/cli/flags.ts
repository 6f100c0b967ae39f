/** A command line the tool cannot run with; its main prints the message and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One `--name value` or `--name=value` of a command line, as a tool's parser reads it. */
export interface GivenFlag {
  name: string;
  /** The flag's value (the next argument, or what follows `=`); refuses a missing or empty one. */
  value(): string;
  /** A whole number from `min` to `max`. */
  int(min: number, max: number): number;
  /** For a switch: refuses `--name=value`. */
  noValue(): void;
}

/**
 * Walks the flags of a tool's command line in order, refusing a positional argument and a flag given twice, and
 * hands each to `take`, which reads its value (if any) and throws UsageError for an unknown one. Returns the names given.
 */
export function forEachFlag(argv: readonly string[], take: (flag: GivenFlag) => void): ReadonlySet<string> {
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (!token.startsWith('--')) throw new UsageError(`unexpected argument "${token}" (see --help)`);
    const eq = token.indexOf('=');
    const name = token.slice(2, eq === -1 ? undefined : eq);
    if (given.has(name)) throw new UsageError(`--${name} given twice`);
    given.add(name);
    const value = (): string => {
      const v = eq !== -1 ? token.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '' || (eq === -1 && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      return v;
    };
    take({
      name,
      value,
      int(min, max) {
        const raw = value();
        const n = Number(raw);
        if (!/^\d+$/.test(raw) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
        return n;
      },
      noValue() {
        if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      },
    });
  }
  return given;
}
