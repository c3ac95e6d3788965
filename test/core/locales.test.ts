import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES_DIR, createTranslator } from '../../bot/i18n';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
const PLURAL = /_(zero|one|two|few|many|other)$/;

function leaves(value: Json, prefix: string, out: Map<string, Json>): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
}

function load(lang: 'ar' | 'en'): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const file of fs.readdirSync(path.join(LOCALES_DIR, lang)).filter((f) => f.endsWith('.json'))) {
    leaves(JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, lang, file), 'utf8')) as Json, file.replace(/\.json$/, ''), out);
  }
  return out;
}

describe('locales', () => {
  const ar = load('ar');
  const en = load('en');

  it('have the same keys in Arabic and English (plural forms aside)', () => {
    const base = (m: Map<string, Json>) => new Set([...m.keys()].map((k) => k.replace(PLURAL, '')));
    const a = base(ar);
    const e = base(en);
    expect([...a].filter((k) => !e.has(k)), 'only in ar').toEqual([]);
    expect([...e].filter((k) => !a.has(k)), 'only in en').toEqual([]);
  });

  it('have no empty strings or arrays', () => {
    for (const [lang, map] of [['ar', ar], ['en', en]] as const) {
      for (const [key, value] of map) {
        if (typeof value === 'string') expect(value.trim(), `${lang}:${key}`).not.toBe('');
        if (Array.isArray(value)) expect(value.length, `${lang}:${key}`).toBeGreaterThan(0);
      }
    }
  });

  it('give every Arabic plural all six forms and every English plural one and other', () => {
    const plurals = (m: Map<string, Json>) => {
      const groups = new Map<string, Set<string>>();
      for (const k of m.keys()) {
        const match = PLURAL.exec(k);
        if (match) groups.set(k.replace(PLURAL, ''), (groups.get(k.replace(PLURAL, '')) ?? new Set()).add(match[1] ?? ''));
      }
      return groups;
    };
    for (const [key, forms] of plurals(ar)) {
      expect([...forms].sort(), `ar:${key}`).toEqual(['few', 'many', 'one', 'other', 'two', 'zero']);
    }
    for (const [key, forms] of plurals(en)) {
      expect(forms.has('one') && forms.has('other'), `en:${key}`).toBe(true);
    }
  });

  it('Arabic strings are written in Arabic', () => {
    // Keys whose Arabic value is deliberately Latin (the English toggle, brand names, ids).
    const latinAllowed = /(^common\.menu\.toggle$|language_en$|\.source$|\.related|^nlu\.|\.id$|\.code$|\.url$)/;
    for (const [key, value] of ar) {
      if (typeof value !== 'string' || latinAllowed.test(key)) continue;
      if (/[a-zA-Z]{3,}/.test(value) && !/[\u0600-\u06FF]/.test(value)) throw new Error(`ar:${key} has no Arabic: ${value}`);
    }
  });

  it('uses Arabic plural rules at run time', () => {
    const { i18n } = createTranslator();
    i18n.addResourceBundle('ar', 'test', { days_zero: 'z', days_one: 'o', days_two: 't', days_few: 'f', days_many: 'm', days_other: 'x' });
    const t = i18n.getFixedT('ar', 'test');
    expect([0, 1, 2, 3, 11, 100].map((count) => t('days', { count }))).toEqual(['z', 'o', 't', 'f', 'm', 'x']);
  });
});
