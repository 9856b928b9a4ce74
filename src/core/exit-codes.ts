import { ErrorList, ProvisionError } from './errors.js';

/** Exit codes, as documented in the README (Ansible's, plus 3 for input found invalid before any change). */
export const ExitCode = {
  ok: 0,
  internal: 1,
  hostFailed: 2,
  invalidInput: 3,
  unreachable: 4,
  usage: 5,
  /** The rollout stopped (a gate failed, a pause was not answered yes) before every host started; no host failed. */
  stopped: 6,
  interrupted: 99,
} as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof ErrorList) return exitCodeFor(error.errors[0]);
  if (!(error instanceof ProvisionError)) return ExitCode.internal;
  switch (error.code) {
    case 'INVENTORY':
    case 'VALIDATION':
    case 'TEMPLATE':
      return ExitCode.invalidInput;
    case 'USAGE':
      return ExitCode.usage;
    case 'TRANSPORT':
      return ExitCode.unreachable;
    case 'TASK':
      return ExitCode.hostFailed;
    default:
      return ExitCode.internal;
  }
}
