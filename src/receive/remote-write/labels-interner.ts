import type { Labels } from '../../model/index.js';

/**
 * Remembers validated label sets by the raw protobuf bytes that carried them. Senders send
 * the same series over and over, byte for byte: a hit skips decoding and validating ten
 * strings per series and hands out the same Labels object each time, which the store then
 * recognises by identity. Two generations bound the memory: when the young one fills up it
 * becomes the old one, and whatever was not seen since is forgotten.
 */
export class LabelsInterner {
  private young = new Map<string, Labels>();
  private old = new Map<string, Labels>();

  constructor(private readonly generationSize = 262_144) {}

  get(key: string): Labels | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: string, labels: Labels): void {
    if (this.young.size >= this.generationSize) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, labels);
  }
}
