import { useState, type ReactNode } from 'react';
import type { Capability } from '../api/capabilities.js';
import { useSession } from '../api/session.js';
import type { MessageKey } from '../i18n/en.js';
import { useT } from '../i18n/i18n.js';
import { Link, useLocation } from '../lib/router.js';
import { BrandMark } from './BrandMark.js';
import { UserMenu } from './UserMenu.js';

interface NavItem {
  readonly to: string;
  readonly label: MessageKey;
  readonly icon: string;
  readonly admin?: boolean;
  /** Shown only when this backend is in the build. */
  readonly needs?: Capability;
}
interface NavGroup {
  readonly label?: MessageKey;
  readonly items: readonly NavItem[];
}

// Pages whose backend is not in this build (the probe answers 404) stay out of the navigation.
const NAV: readonly NavGroup[] = [
  {
    items: [
      { to: '/', label: 'nav.overview', icon: '◎' },
      { to: '/dashboards', label: 'nav.dashboards', icon: '▦' },
    ],
  },
  {
    label: 'nav.explore',
    items: [
      { to: '/explore/metrics', label: 'nav.metrics', icon: '∿', needs: 'metrics' },
      { to: '/explore/logs', label: 'nav.logs', icon: '☰', needs: 'logs' },
      { to: '/explore/traces', label: 'nav.traces', icon: '≡', needs: 'traces' },
      { to: '/explore/targets', label: 'nav.targets', icon: '◉', needs: 'metrics' },
    ],
  },
  {
    label: 'nav.oncall',
    items: [
      { to: '/alerts', label: 'nav.alerts', icon: '⚑', needs: 'alerts' },
      { to: '/alerts/rules', label: 'nav.rules', icon: '⚠', needs: 'rules' },
      { to: '/alerts/silences', label: 'nav.silences', icon: '◌', needs: 'alerts' },
      { to: '/alerts/schedules', label: 'nav.schedules', icon: '☏', needs: 'schedules' },
      { to: '/alerts/chains', label: 'nav.chains', icon: '⤳', needs: 'schedules' },
      { to: '/alerts/integrations', label: 'nav.integrations', icon: '⇲', needs: 'alerts' },
      { to: '/alerts/notifications', label: 'nav.notifications', icon: '✉', needs: 'schedules' },
    ],
  },
  {
    label: 'nav.automation',
    items: [
      { to: '/automation/runs', label: 'nav.runs', icon: '▶', needs: 'automation' },
      { to: '/automation/events', label: 'nav.events', icon: '⇶', needs: 'events' },
    ],
  },
  {
    label: 'nav.settings',
    items: [
      { to: '/settings/connect', label: 'nav.connect', icon: '⇪' },
      { to: '/settings/users', label: 'nav.users', icon: '☺', admin: true },
      { to: '/settings/tokens', label: 'nav.tokens', icon: '⚿', admin: true },
      { to: '/settings/sources', label: 'nav.sources', icon: '⛁', admin: true },
    ],
  },
];

export function Layout({ children }: { children: ReactNode }): React.JSX.Element {
  const t = useT();
  const { isAdmin, caps } = useSession();
  const { path } = useLocation();
  const [navOpen, setNavOpen] = useState(false);
  // The longest navigation path that contains the current one is the active item
  // (/alerts/schedules is "On-call schedules", not also "Alert groups").
  const matches = (to: string): boolean => (to === '/' ? path === '/' || path === '/overview' : path === to || path.startsWith(`${to}/`));
  const best = NAV.flatMap((g) => g.items.map((i) => i.to))
    .filter(matches)
    .sort((a, b) => b.length - a.length)[0];
  const active = (to: string): boolean => to === best;
  return (
    <div className={`shell${navOpen ? ' nav-open' : ''}`}>
      <a className="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <button type="button" className="nav-toggle" aria-label={t('nav.menu')} aria-expanded={navOpen} onClick={() => setNavOpen(!navOpen)}>
          ☰
        </button>
        <Link to="/" className="brand">
          <BrandMark />
          {t('app.name')}
        </Link>
        <div className="topbar-spacer" />
        <UserMenu />
      </header>
      <nav className="sidebar" aria-label={t('nav.main')}>
        {NAV.map((g, i) => {
          const items = g.items.filter((it) => (!it.admin || isAdmin) && (it.needs === undefined || caps?.[it.needs] === true));
          if (items.length === 0) return null;
          return (
            <div key={i} className="nav-group">
              {g.label && <div className="nav-label">{t(g.label)}</div>}
              {items.map((it) => (
                <Link key={it.to} to={it.to} className={`nav-item${active(it.to) ? ' active' : ''}`} aria-current={active(it.to) ? 'page' : undefined} onClick={() => setNavOpen(false)}>
                  <span className="nav-icon" aria-hidden="true">{it.icon}</span>
                  {t(it.label)}
                </Link>
              ))}
            </div>
          );
        })}
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }): React.JSX.Element {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      <div className="page-actions">{children}</div>
    </div>
  );
}
