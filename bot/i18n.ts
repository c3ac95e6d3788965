/**
 * i18next over locales/ar and locales/en. Each JSON file is a namespace named after the
 * file; keys are addressed as "namespace:key" (default namespace "common").
 */
import fs from 'node:fs';
import path from 'node:path';
import i18next, { type i18n as I18n, type Resource } from 'i18next';
import type { Lang } from '../dialogs/understanding/normalize';
import { APP_ROOT } from './appRoot';

export const LOCALES_DIR = path.join(APP_ROOT, 'locales');
export const LANGS: readonly Lang[] = ['ar', 'en'];

/** A translator bound to nothing: the language is passed on every call. */
export type Translate = (lang: Lang, key: string, options?: Record<string, unknown>) => string;

export function loadResources(dir: string = LOCALES_DIR): Resource {
  const resources: Resource = {};
  for (const lang of LANGS) {
    resources[lang] = {};
    const langDir = path.join(dir, lang);
    for (const file of fs.readdirSync(langDir).filter((f) => f.endsWith('.json'))) {
      resources[lang][file.replace(/\.json$/, '')] = JSON.parse(fs.readFileSync(path.join(langDir, file), 'utf8'));
    }
  }
  return resources;
}

export interface Translator {
  t: Translate;
  i18n: I18n;
}

export function createTranslator(options: { dir?: string; onMissing?: (lang: string, key: string) => void } = {}): Translator {
  const resources = loadResources(options.dir);
  const instance = i18next.createInstance();
  void instance.init({
    resources,
    lng: 'ar',
    fallbackLng: false,
    ns: Object.keys(resources.ar ?? {}),
    defaultNS: 'common',
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    saveMissing: Boolean(options.onMissing),
    missingKeyHandler: options.onMissing ? (lngs, _ns, key) => options.onMissing?.(lngs.join(','), key) : undefined,
    showSupportNotice: false,
  } as Parameters<I18n['init']>[0]);
  const fixed = { ar: instance.getFixedT('ar'), en: instance.getFixedT('en') };
  // Most strings a turn renders take no arguments (menus, buttons, prompts): translate each
  // once. The benchmark found i18next re-resolving them ≈ 8 times a turn (bench/README.md).
  const plain = { ar: new Map<string, string>(), en: new Map<string, string>() };
  const t: Translate = (lang, key, opts) => {
    if (opts && Object.keys(opts).length > 0) return String(fixed[lang](key, opts));
    let text = plain[lang].get(key);
    if (text === undefined) plain[lang].set(key, (text = String(fixed[lang](key, {}))));
    return text;
  };
  return { t, i18n: instance };
}
