import { lazy, Suspense, useEffect } from 'react';
import { useSession } from './api/session.js';
import { Layout } from './components/Layout.js';
import { useT } from './i18n/i18n.js';
import { Link, navigate, useLocation } from './lib/router.js';
import { Login } from './pages/Login.js';
import { Overview } from './pages/Overview.js';
import { AlertGroupDetail } from './pages/alerts/AlertGroupDetail.js';
import { AlertGroups } from './pages/alerts/AlertGroups.js';
import { Schedules } from './pages/alerts/Schedules.js';
import { Connect } from './pages/settings/Connect.js';
import { DataSources } from './pages/settings/DataSources.js';
import { Profile } from './pages/settings/Profile.js';
import { Tokens } from './pages/settings/Tokens.js';
import { Users } from './pages/settings/Users.js';


// Editors and charts (CodeMirror, uPlot) load only when an Explore page opens.
const MetricsExplore = lazy(() => import('./pages/explore/MetricsExplore.js').then((m) => ({ default: m.MetricsExplore })));
const Targets = lazy(() => import('./pages/explore/Targets.js').then((m) => ({ default: m.Targets })));

const TracesExplore = lazy(() => import('./pages/traces/TracesExplore.js').then((m) => ({ default: m.TracesExplore })));
const TraceView = lazy(() => import('./pages/traces/TraceView.js').then((m) => ({ default: m.TraceView })));

const DashboardList = lazy(() => import('./pages/dashboards/DashboardList.js').then((m) => ({ default: m.DashboardList })));
const DashboardView = lazy(() => import('./pages/dashboards/DashboardView.js').then((m) => ({ default: m.DashboardView })));

const LogsExplore = lazy(() => import('./pages/logs/LogsExplore.js').then((m) => ({ default: m.LogsExplore })));

const Rules = lazy(() => import('./pages/alerts/Rules.js').then((m) => ({ default: m.Rules })));
const Silences = lazy(() => import('./pages/alerts/Silences.js').then((m) => ({ default: m.Silences })));
const Chains = lazy(() => import('./pages/alerts/Chains.js').then((m) => ({ default: m.Chains })));
const Integrations = lazy(() => import('./pages/alerts/Integrations.js').then((m) => ({ default: m.Integrations })));
const NotificationRules = lazy(() => import('./pages/alerts/NotificationRules.js').then((m) => ({ default: m.NotificationRules })));

const Runs = lazy(() => import('./pages/automation/Runs.js').then((m) => ({ default: m.Runs })));
const RunDetail = lazy(() => import('./pages/automation/RunDetail.js').then((m) => ({ default: m.RunDetail })));
const Events = lazy(() => import('./pages/automation/Events.js').then((m) => ({ default: m.Events })));
const EventDetail = lazy(() => import('./pages/automation/EventDetail.js').then((m) => ({ default: m.EventDetail })));

function Loading(): React.JSX.Element {
  const t = useT();
  return <div className="loading">{t('common.loading')}</div>;
}

function AdminOnly({ children }: { children: React.JSX.Element }): React.JSX.Element {
  const t = useT();
  const { isAdmin } = useSession();
  return isAdmin ? children : <p className="note">{t('common.adminOnly')}</p>;
}

function NotFound(): React.JSX.Element {
  const t = useT();
  return (
    <div className="empty-page">
      <h1>{t('notFound.title')}</h1>
      <Link to="/">{t('notFound.back')}</Link>
    </div>
  );
}

function Page({ path }: { path: string }): React.JSX.Element {
  switch (path) {
    case '/':
    case '/overview':
      return <Overview />;
    case '/explore/metrics':
      return <MetricsExplore />;
    case '/explore/targets':
      return <Targets />;
    case '/explore/logs':
      return <LogsExplore />;
    case '/explore/traces':
      return <TracesExplore />;
    case '/dashboards':
      return <DashboardList />;
    case '/settings':
    case '/settings/connect':
      return <Connect />;
    case '/settings/users':
      return (
        <AdminOnly>
          <Users />
        </AdminOnly>
      );
    case '/settings/tokens':
      return (
        <AdminOnly>
          <Tokens />
        </AdminOnly>
      );
    case '/settings/sources':
      return (
        <AdminOnly>
          <DataSources />
        </AdminOnly>
      );
    case '/settings/profile':
      return <Profile />;
    case '/alerts':
      return <AlertGroups />;
    case '/alerts/schedules':
      return <Schedules />;
    case '/alerts/rules':
      return <Rules />;
    case '/alerts/silences':
      return <Silences />;
    case '/alerts/chains':
      return <Chains />;
    case '/alerts/integrations':
      return <Integrations />;
    case '/alerts/notifications':
      return <NotificationRules />;
    case '/automation':
    case '/automation/runs':
      return <Runs />;
    case '/automation/events':
      return <Events />;
    default: {
      const tr = /^\/explore\/traces\/([0-9a-fA-F]+)$/.exec(path);
      if (tr) return <TraceView id={tr[1]!} />;
      const dash = /^\/dashboards\/([^/]+)$/.exec(path);
      if (dash) return <DashboardView id={decodeURIComponent(dash[1]!)} />;
      const group = /^\/alerts\/groups\/([^/]+)$/.exec(path);
      if (group) return <AlertGroupDetail id={decodeURIComponent(group[1]!)} />;
      const run = /^\/automation\/runs\/([^/]+)$/.exec(path);
      if (run) return <RunDetail id={decodeURIComponent(run[1]!)} />;
      const event = /^\/automation\/events\/([^/]+)$/.exec(path);
      if (event) return <EventDetail id={decodeURIComponent(event[1]!)} />;
      return <NotFound />;
    }
  }
}

export function App(): React.JSX.Element {
  const { me } = useSession();
  const { path } = useLocation();
  useEffect(() => {
    if (me === null && path !== '/login') navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, true);
    if (me && path === '/login') navigate('/', true);
  }, [me, path]);
  if (me === undefined) return <Loading />;
  if (me === null) return <Login />;
  return (
    <Layout>
      <Suspense fallback={<Loading />}>
        <Page path={path} />
      </Suspense>
    </Layout>
  );
}
