export { DashboardStore } from './dashboard-store.js';
export { registerDashboardRoutes } from './routes.js';
export { PANEL_TYPES, dashboardSchema, dashboardSpecSchema, dashboardVersionSchema, panelSchema, saveDashboardSchema, variableSchema } from './spec.js';
export type { Dashboard, DashboardSpec, DashboardVersion, Panel, PanelType, Variable } from './spec.js';
