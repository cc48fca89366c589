import { useCallback, useRef, useState } from 'react';
import { useDismiss } from '../lib/use-dismiss.js';
import { useSession } from '../api/session.js';
import { LANGUAGES, useI18n, type Language } from '../i18n/i18n.js';
import { currentTheme, setTheme, type Theme } from '../lib/theme.js';
import { navigate } from '../lib/router.js';

export function UserMenu(): React.JSX.Element | null {
  const { me, signOut } = useSession();
  const { t, lang, setLang } = useI18n();
  const [open, setOpen] = useState(false);
  const [theme, setThemeState] = useState<Theme>(currentTheme);
  const ref = useRef<HTMLDivElement>(null);
  const closeMenu = useCallback(() => setOpen(false), []);
  useDismiss(open, ref, closeMenu);
  if (!me) return null;
  const initial = me.name.slice(0, 1).toUpperCase();
  const chooseTheme = (th: Theme): void => {
    setTheme(th);
    setThemeState(th);
  };
  return (
    <div className="usermenu" ref={ref}>
      <button type="button" className="avatar" aria-haspopup="menu" aria-expanded={open} aria-label={t('user.menu')} onClick={() => setOpen(!open)}>
        {initial}
      </button>
      {open && (
        <div className="menu" role="menu">
          <div className="menu-head">
            <div className="menu-name">{t('user.signedInAs', { name: me.user?.displayName || me.name })}</div>
            {me.role && <div className="muted">{t('user.role', { role: t(`role.${me.role}`) })}</div>}
          </div>
          <div className="menu-row">
            <span>{t('user.theme')}</span>
            <div className="seg" role="group" aria-label={t('user.theme')}>
              {(['light', 'dark'] as const).map((th) => (
                <button key={th} type="button" aria-pressed={theme === th} className={theme === th ? 'on' : ''} onClick={() => chooseTheme(th)}>
                  {t(th === 'light' ? 'user.themeLight' : 'user.themeDark')}
                </button>
              ))}
            </div>
          </div>
          <div className="menu-row">
            <span>{t('user.language')}</span>
            <div className="seg" role="group" aria-label={t('user.language')}>
              {(Object.keys(LANGUAGES) as Language[]).map((l) => (
                <button key={l} type="button" aria-pressed={lang === l} className={lang === l ? 'on' : ''} onClick={() => setLang(l)}>
                  {LANGUAGES[l]}
                </button>
              ))}
            </div>
          </div>
          {me.kind === 'user' && (
            <button type="button" role="menuitem" className="menu-item" onClick={() => { setOpen(false); navigate('/settings/profile'); }}>
              {t('user.changePassword')}
            </button>
          )}
          <button type="button" role="menuitem" className="menu-item" onClick={() => void signOut().then(() => navigate('/login'))}>
            {t('user.signOut')}
          </button>
        </div>
      )}
    </div>
  );
}
