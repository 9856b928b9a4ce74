/** What a task type's plan returns: changes to make, or why there is nothing to do. */
export interface Change {
  /** One line for people: "create /etc/crictl.yaml", "mode 0644 -> 0600", "start containerd". */
  what: string;
  /** File content before/after, for --diff. */
  diff?: { path: string; before: string; after: string };
  /** The shell that makes the change (values already quoted). */
  script: string;
}

export type Plan = { changes: Change[] } | { noop: string };

export const noop = (reason: string): Plan => ({ noop: reason });
export const changes = (...list: Change[]): Plan => ({ changes: list });
