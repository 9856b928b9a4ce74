import { TaskError } from '../core/errors.js';

/**
 * A CRI call the runtime answered with an error, or that got no answer by its deadline. The
 * message carries the runtime's own text ("failed to create shim task: ..."), which is what an
 * operator needs to see in the recap.
 */
export class CriError extends TaskError {
  constructor(
    readonly method: string,
    /** The gRPC status name: UNKNOWN, NOT_FOUND, DEADLINE_EXCEEDED, UNAVAILABLE, ... */
    readonly status: string,
    readonly details: string,
    host: string,
    cause?: unknown,
  ) {
    super(`CRI ${method} on ${host}: ${details || status}`, { host, cause });
  }
}
