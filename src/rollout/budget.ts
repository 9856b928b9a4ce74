import { UsageError } from '../core/errors.js';

/**
 * The failure budget, counted over the whole run (unlike Ansible's, per batch): hosts failed or
 * unreachable so far, against the hosts selected. `maxFailPercentage` and `maxFail` (a count) may
 * be given together; either exceeded spends the budget.
 */
export interface FailureBudget {
  selected: number;
  maxFailPercentage?: number;
  maxFail?: number;
}

/** Why nothing new may start, or undefined while the budget holds. */
export function budgetExceeded(budget: FailureBudget, failed: number): string | undefined {
  const { selected, maxFailPercentage: pct, maxFail } = budget;
  const spent = `${failed} of ${selected} hosts failed or unreachable`;
  if (maxFail !== undefined && failed > maxFail) return `failure budget spent: ${spent}, more than provision_max_fail ${maxFail}`;
  if (pct !== undefined && selected > 0 && (failed / selected) * 100 > pct) {
    return `failure budget spent: ${spent}, more than provision_max_fail_percentage ${pct}%`;
  }
  return undefined;
}

/** A budget value from the inventory or a flag: unset, or a number in range. */
export function budgetValue(value: unknown, name: string, max = Number.POSITIVE_INFINITY): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= 0 && n <= max)) {
    throw new UsageError(`${name} must be a number from 0${max === Number.POSITIVE_INFINITY ? '' : ` to ${max}`}, got ${JSON.stringify(value)}`);
  }
  return n;
}
