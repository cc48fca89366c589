import { z } from 'zod';
import { ROLES, SCOPES } from '../../../src/model/principal.js';

// Wire shapes of the APIs the UI calls. Roles and scopes come from the server's own model,
// so a new role or scope shows up here at compile time.
export const roleSchema = z.enum(ROLES);
export const scopeSchema = z.enum(SCOPES);
export type Role = z.infer<typeof roleSchema>;
export type Scope = z.infer<typeof scopeSchema>;
export { ROLES, SCOPES };

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  role: roleSchema,
  authSource: z.string().optional(),
  disabled: z.boolean(),
  createdAt: z.number(),
});
export type User = z.infer<typeof userSchema>;

export const meSchema = z.object({
  kind: z.enum(['user', 'token']),
  id: z.string(),
  name: z.string(),
  role: roleSchema.nullable(),
  scopes: z.array(scopeSchema),
  tenants: z.union([z.literal('*'), z.array(z.string())]),
  tenant: z.string(),
  user: userSchema.nullable(),
});
export type Me = z.infer<typeof meSchema>;

export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(scopeSchema),
  tenants: z.union([z.literal('*'), z.array(z.string())]),
  createdBy: z.string().nullable().optional(),
  createdAt: z.number(),
  expiresAt: z.number().nullable().optional(),
  lastUsedAt: z.number().nullable().optional(),
  revokedAt: z.number().nullable().optional(),
});
export type Token = z.infer<typeof tokenSchema>;
export const createdTokenSchema = tokenSchema.extend({ secret: z.string() });

/** Ichigen's envelope: `{status:"success",data}`. */
export const envelope = <T extends z.ZodTypeAny>(data: T) => z.object({ status: z.literal('success'), data });

// Prometheus query API (what /api/v1/query and query_range answer).
const sampleValue = z.tuple([z.number(), z.string()]);
export const promSeriesSchema = z.object({ metric: z.record(z.string()), values: z.array(sampleValue).optional(), value: sampleValue.optional() });
export type PromSeries = z.infer<typeof promSeriesSchema>;
export const promQueryDataSchema = z.discriminatedUnion('resultType', [
  z.object({ resultType: z.literal('matrix'), result: z.array(promSeriesSchema), stats: z.unknown().optional() }),
  z.object({ resultType: z.literal('vector'), result: z.array(promSeriesSchema), stats: z.unknown().optional() }),
  z.object({ resultType: z.literal('scalar'), result: sampleValue, stats: z.unknown().optional() }),
  z.object({ resultType: z.literal('string'), result: sampleValue, stats: z.unknown().optional() }),
]);
export type PromQueryData = z.infer<typeof promQueryDataSchema>;
export const promResponseSchema = z.object({ status: z.literal('success'), data: promQueryDataSchema, warnings: z.array(z.string()).optional(), infos: z.array(z.string()).optional() });
