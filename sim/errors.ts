/** Errors the simulator's handlers throw; the server turns them into the contract's error body. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly extra: { field?: string; attemptsLeft?: number; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }
}

export const invalid = (field: string, message: string, reason = 'invalid_field') =>
  new SimError(422, reason, message, { field });
export const notFound = (what: string) => new SimError(404, 'not_found', `${what} not found`);
export const conflict = (reason: string, message: string, field?: string) =>
  new SimError(409, reason, message, field ? { field } : {});
