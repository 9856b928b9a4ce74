/** Keys every task in a role may carry besides its type. */
export const TASK_KEYS: Record<string, string> = {
  name: 'what the task does, shown in progress and reports',
  when: 'run only if this variable or helper expression is truthy, e.g. docker_purge_data or (includes containerd_runtimes "runsc")',
  loop: 'a list or map variable to repeat the task over; each entry is `item` (maps give item.key and item.value)',
  notify: 'handler name(s) to run at the end of the role when this task changed something',
  if_exists: 'path(s) on the node: the task acts only if one of them exists when facts are gathered (e.g. only stop kubelet while Docker is still installed)',
};

/** Keys every check in a role's `verify:` may carry besides its type. */
export const CHECK_KEYS: Record<string, string> = {
  name: 'what the check proves, shown in the report',
  when: 'check only if this variable or helper expression is truthy',
  warn: 'true: a failure is reported as a warning and does not fail the host',
};
