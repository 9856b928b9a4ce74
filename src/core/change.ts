/** What a task type's plan returns: changes to make, or why there is nothing to do. */
export interface Change {
  /** One line for people: "create /etc/crictl.yaml", "mode 0644 -> 0600", "start containerd". */
  what: string;
  /** File content before/after, for --diff. */
  diff?: { path: string; before: string; after: string };
  /** The shell that makes the change (values already quoted). */
  script: string;
  /** What the node's facts will be once the change is made: check mode plans later tasks on these. */
  predict?: Prediction[];
  /**
   * `predict` is a best guess (it depends on the node's configuration): check mode plans on it, but an
   * apply script ends after this change, so later tasks are planned on facts gathered after it.
   */
  uncertain?: boolean;
  /**
   * The node decides whether anything changes (an archive extracted and compared member by member
   * with what is installed): the script touches "$PROVISION_UNCHANGED" when it found nothing to do,
   * and the task is then reported ok with `unchanged` as its reason, its handlers not notified.
   * `predict` holds either way. The engine decides the role's handlers on the reported outcome.
   */
  decidedOnNode?: { unchanged: string };
}

/** What a task's changes say when the node decides their outcome (see Change.decidedOnNode), if any of them does. */
export const nodeDecision = (changes: readonly Change[] | undefined) => changes?.find((c) => c.decidedOnNode)?.decidedOnNode;

export type Prediction =
  | { kind: 'path'; path: string; state: Record<string, unknown> }
  | { kind: 'unit'; name: string; state: Record<string, unknown> }
  /** A unit file was written: a unit systemd did not know becomes loaded and disabled; a known one needs daemon-reload. */
  | { kind: 'unit-file'; name: string }
  /** systemd re-read every unit file. */
  | { kind: 'daemon-reload' }
  | { kind: 'fact'; key: string; value: unknown };

export type Plan = { changes: Change[] } | { noop: string };

export const noop = (reason: string): Plan => ({ noop: reason });
export const changes = (...list: Change[]): Plan => ({ changes: list });
