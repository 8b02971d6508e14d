/**
 * Seeded pseudo-random numbers for the simulation (never Math.random): the
 * same seed gives the same homes, routines and readings on every machine.
 * sfc32 for streams, a stateless 32-bit mix for noise that must not depend
 * on the order in which devices sample it.
 */

/** 32-bit FNV-1a of a string: turns seeds and labels into numbers. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const MIX_SEED = 0x9e3779b9;

/** One round of murmur3's finaliser: folds `part` into the running state `h`. */
function mixStep(h: number, part: number): number {
  h ^= Math.imul((part | 0) ^ Math.floor(part / 0x1_0000_0000), 0xcc9e2d51);
  h = Math.imul((h << 15) | (h >>> 17), 0x1b873593);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

function mixAll(parts: readonly number[]): number {
  let h = MIX_SEED;
  for (let i = 0; i < parts.length; i++) h = mixStep(h, parts[i]!);
  return h;
}

/** murmur3's finaliser over a few integers: a stateless hash → uint32. */
export function mix32(...parts: readonly number[]): number {
  return mixAll(parts) >>> 0;
}

/** Uniform [0, 1) from a stateless hash of `parts`. */
export function hashUniform(...parts: readonly number[]): number {
  return (mixAll(parts) >>> 0) / 0x1_0000_0000;
}

/**
 * Standard normal from a stateless hash (Box–Muller). Same values as
 * hashUniform(...parts, 1) and (...parts, 2), with the common prefix mixed
 * once: the physiology model calls this for every sample of every device.
 */
export function hashNormal(...parts: readonly number[]): number {
  const h = mixAll(parts);
  const u = Math.max((mixStep(h, 1) >>> 0) / 0x1_0000_0000, 1e-12);
  const v = (mixStep(h, 2) >>> 0) / 0x1_0000_0000;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A seeded stream (sfc32).
 * @example const rng = new Prng('fleet-42'); rng.int(0, 9); rng.fork('home-3').normal(70, 3)
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string | number) {
    const s = typeof seed === 'number' ? `n:${seed}` : seed;
    this.a = hashString(`a${s}`);
    this.b = hashString(`b${s}`);
    this.c = hashString(`c${s}`);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 0x1_0000_0000;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Real in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  normal(mean: number, sd: number): number {
    const u = Math.max(this.next(), 1e-12);
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** An independent stream derived from this seed and a label (does not advance this one). */
  fork(label: string): Prng {
    return new Prng(`${this.a}:${this.b}:${this.c}:${label}`);
  }
}
