/**
 * The public surface of a class. A fake declares `implements Public<Real>`, so the compiler keeps its shape in
 * step with the real class; `asReal` is the one place a fake is handed over where the real type is expected
 * (a class with private members is nominal in TypeScript, so no other object can be one).
 */
export type Public<T> = { [K in keyof T]: T[K] };

export function asReal<T>(fake: Public<T>): T {
  return fake as T;
}
