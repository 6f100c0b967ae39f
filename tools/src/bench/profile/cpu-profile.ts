/** Reading a V8 .cpuprofile (what `node --cpu-prof` writes): self time per function and per package. Pure. */

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  /** CLOCK_MONOTONIC µs: comparable with process.hrtime() of any process on the machine. */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  /** Where it lives: a package-relative path, a dist path, or a node: module. */
  location: string;
  ms: number;
  /** Share of the window's samples (idle included). */
  pct: number;
  /** Share of the busy samples (idle excluded): the figure to read for "where does the CPU go". */
  busyPct: number;
  /** The heaviest chain of callers (nearest first, Node internals skipped), e.g. "loggingMiddleware (pino-http) ← …". */
  via?: string;
}

export interface ProfileSummary {
  windowMs: number;
  busyMs: number;
  samples: number;
  functions: SelfTime[];
  /** Self time per package or part. */
  categories: SelfTime[];
  /**
   * Inclusive time per package: busy samples with at least one frame of that package on the stack (what it
   * costs with everything it calls). Shares overlap and add up to more than 100%.
   */
  inclusive: SelfTime[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** "fastify", "@nestjs/core", "app order-api", "lib stock", "node core", "(garbage collector)", "V8 builtins". */
export function categoryOf(frame: CpuProfileNode['callFrame']): string {
  if (SPECIAL.has(frame.functionName) && frame.url === '') return frame.functionName;
  const url = frame.url;
  if (url === '') return 'V8 builtins / native';
  if (url.startsWith('node:')) return 'node core';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const dist = /\/dist\/(apps|libs\/(?:domain|infrastructure)|libs|tools)\/([^/]+)\//.exec(url);
  if (dist?.[1]) return `${dist[1] === 'apps' ? 'app' : dist[1] === 'tools' ? 'tool' : 'lib'} ${dist[2]}`;
  return 'other';
}

export function locationOf(frame: CpuProfileNode['callFrame']): string {
  const url = frame.url.replace(/^file:\/\//, '');
  if (url === '') return '';
  const line = frame.lineNumber >= 0 ? `:${frame.lineNumber + 1}` : '';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length) + line;
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length) + line;
  return url + line;
}

/**
 * Self time by function and by category over the samples taken in [fromUs, toUs] (the whole profile when no
 * window is given). Each sample weighs the time since the previous one.
 */
/** Up to `depth` callers of a node, nearest first, skipping Node's own internals and anonymous frames. */
function callerChain(id: number, byId: Map<number, CpuProfileNode>, parent: Map<number, number>, depth = 3): string {
  const out: string[] = [];
  for (let cur = parent.get(id); cur !== undefined && out.length < depth; cur = parent.get(cur)) {
    const f = byId.get(cur)!.callFrame;
    if (f.url.startsWith('node:') || f.functionName === '' || f.functionName === '(root)') continue;
    const cat = categoryOf(f);
    out.push(`${f.functionName} (${cat})`);
  }
  return out.join(' ← ');
}

export function summariseProfile(profile: CpuProfile, window?: { fromUs: number; toUs: number }, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const fn = new Map<string, { name: string; location: string; us: number; via: Map<string, number> }>();
  const cat = new Map<string, number>();
  const incl = new Map<string, number>();
  let t = profile.startTime;
  let total = 0;
  let idle = 0;
  let samples = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    samples++;
    total += dt;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') idle += dt;
    const name = frame.functionName || '(anonymous)';
    const location = locationOf(frame);
    const key = `${name}\u0000${location}`;
    const entry = fn.get(key) ?? { name, location, us: 0, via: new Map<string, number>() };
    entry.us += dt;
    const chain = callerChain(node.id, byId, parent);
    entry.via.set(chain, (entry.via.get(chain) ?? 0) + dt);
    fn.set(key, entry);
    const c = categoryOf(frame);
    cat.set(c, (cat.get(c) ?? 0) + dt);
    if (frame.functionName !== '(idle)') {
      const onStack = new Set<string>();
      for (let cur: number | undefined = node.id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame;
        if (f.functionName !== '(root)') onStack.add(categoryOf(f));
      }
      for (const name of onStack) incl.set(name, (incl.get(name) ?? 0) + dt);
    }
  }
  const busy = total - idle;
  const toSelf = (name: string, location: string, us: number, via?: string): SelfTime => ({
    name,
    location,
    ms: us / 1000,
    pct: total > 0 ? (us / total) * 100 : 0,
    busyPct: busy > 0 && name !== '(idle)' ? (us / busy) * 100 : 0,
    ...(via ? { via } : {}),
  });
  const heaviest = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const functions = [...fn.values()]
    .filter((f) => f.name !== '(idle)')
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((f) => toSelf(f.name, f.location, f.us, heaviest(f.via)));
  const categories = [...cat.entries()]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => toSelf(name, '', us));
  const inclusive = [...incl.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => toSelf(name, '', us));
  return { windowMs: total / 1000, busyMs: busy / 1000, samples, functions, categories, inclusive };
}
