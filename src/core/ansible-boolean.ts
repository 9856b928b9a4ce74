/**
 * Ansible's one boolean rule (ansible.module_utils.parsing.convert_bool): these words, any case,
 * surrounding blanks ignored, and the numbers 1 and 0. Everything that reads a yes/no value from
 * an inventory, a role variable or -e goes through here, so `y` means the same everywhere.
 */
const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/** The boolean `value` means, or undefined when it is none (Ansible's strict mode raises there). */
export function parseAnsibleBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  return TRUE.has(v) ? true : FALSE.has(v) ? false : undefined;
}

/** Ansible's `boolean(value, strict=False)`: anything that is not a true word is false. */
export const ansibleBoolean = (value: unknown): boolean => parseAnsibleBoolean(value) === true;
