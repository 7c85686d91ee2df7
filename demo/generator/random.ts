/**
 * Seeded randomness for the demo generator. Every consumer draws from its own named stream, so
 * adding draws in one part of the generator (say, more sign-ins) does not shift the names, SIDs or
 * planted cases produced by another.
 */

/** FNV-1a over the UTF-16 code units: a stable 32-bit seed from any label. */
export function hashToSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: small, fast and good enough for test data; [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[Math.floor(this.next() * items.length)]!;
  }

  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let threshold = this.next() * total;
    for (const [item, weight] of items) {
      threshold -= weight;
      if (threshold < 0) return item;
    }
    return items[items.length - 1]![0];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  }

  bytes(count: number): Uint8Array {
    const bytes = new Uint8Array(count);
    for (let i = 0; i < count; i++) bytes[i] = Math.floor(this.next() * 256);
    return bytes;
  }

  /** A random (version 4) GUID as its 16 bytes in RFC 4122 order. */
  guidBytes(): Uint8Array {
    const bytes = this.bytes(16);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    return bytes;
  }

  guid(): string {
    return guidToString(this.guidBytes());
  }

  hex(digits: number): string {
    let text = "";
    for (let i = 0; i < digits; i++) text += Math.floor(this.next() * 16).toString(16);
    return text;
  }
}

/** Builds independent streams from one seed: `streams.get("names")`. */
export class RandomStreams {
  constructor(private readonly seed: number) {}

  get(label: string): Random {
    return new Random(hashToSeed(`${this.seed}/${label}`));
  }

  seedFor(label: string): number {
    return hashToSeed(`${this.seed}/${label}`);
  }
}

export function guidToString(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The byte order Windows stores a GUID in (objectGUID, and the bytes Graph base64-encodes in role
 * assignment ids): the first three fields little-endian, the rest as written.
 */
export function guidToWindowsBytes(guid: string): Uint8Array {
  const hex = guid.replace(/-/g, "");
  const bytes = Buffer.from(hex, "hex");
  const reorder = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Uint8Array.from(reorder.map((index) => bytes[index]!));
}
