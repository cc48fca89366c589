import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { ja } from './ja.js';

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

describe('message catalogues', () => {
  it('Japanese has every English key, no extra ones, and the same placeholders', () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(en)) {
      expect(placeholders(ja[k as keyof typeof en]), k).toEqual(placeholders(v));
      expect(ja[k as keyof typeof en].trim(), k).not.toBe('');
    }
  });
});
