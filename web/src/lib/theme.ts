export type Theme = 'light' | 'dark';

const KEY = 'ichigen.theme';

export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

export function setTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // Private mode: the theme still applies for this page.
  }
  window.dispatchEvent(new Event('ichigen-theme'));
}
