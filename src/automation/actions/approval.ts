import { z } from 'zod';
import { defineAction } from './action.js';

/**
 * A person approves before the run continues (in the API/UI or through a signed, expiring
 * link). The run engine handles this step itself; `run` is never called.
 */
export const approval = defineAction({
  kind: 'approval',
  input: z
    .object({
      message: z.string().max(2000).default(''),
      /** How long the approval link stays valid. */
      expiresIn: z.string().max(32).default('24h'),
    })
    .strict(),
  run() {
    return Promise.reject(new Error('approval steps are handled by the run engine'));
  },
});
