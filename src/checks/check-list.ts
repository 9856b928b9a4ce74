import { absentCheck } from './absent.js';
import type { CheckType } from './check-type.js';
import { commandCheck } from './command.js';
import { containerdRuntimesCheck } from './containerd-runtimes.js';
import { podCheck } from './pod.js';
import { unitCheck } from './unit.js';

/** Every check type a role's `verify:` may use: a new type is its own file plus one line here. */
const LIST: CheckType[] = [unitCheck, commandCheck, absentCheck, containerdRuntimesCheck, podCheck];

export const CHECK_TYPES: Readonly<Record<string, CheckType>> = Object.fromEntries(LIST.map((t) => [t.name, t]));
