/** floatip's exit statuses (EXIT STATUS in the man page). */
export const EXIT = { ok: 0, runtime: 1, usage: 2, portBusy: 3 } as const;
