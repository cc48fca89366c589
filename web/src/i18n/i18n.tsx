import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey } from './en.js';
import { ja } from './ja.js';

export const LANGUAGES = { en: 'English', ja: '日本語' } as const;
export type Language = keyof typeof LANGUAGES;
const CATALOGUES: Record<Language, Record<MessageKey, string>> = { en, ja };
const KEY = 'ichigen.lang';

/** Replaces `{name}` placeholders. */
export function format(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function initialLanguage(): Language {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === 'en' || saved === 'ja') return saved;
  } catch {
    // No storage: fall through to the browser's language.
  }
  return navigator.language.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

interface I18n {
  readonly lang: Language;
  readonly t: Translate;
  setLang(lang: Language): void;
}

const I18nContext = createContext<I18n | undefined>(undefined);

export function I18nProvider({ children }: { children: ReactNode }): React.JSX.Element {
  const [lang, setLangState] = useState<Language>(initialLanguage);
  const setLang = useCallback((l: Language) => {
    setLangState(l);
    document.documentElement.lang = l;
    try {
      localStorage.setItem(KEY, l);
    } catch {
      // Not persisted; fine for this page.
    }
  }, []);
  const value = useMemo<I18n>(() => {
    const cat = CATALOGUES[lang];
    document.documentElement.lang = lang;
    return { lang, setLang, t: (key, params) => format(cat[key] ?? en[key], params) };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

export function useT(): Translate {
  return useI18n().t;
}
