/** Milliseconds since the epoch. Injected everywhere so tests drive time instead of sleeping. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
