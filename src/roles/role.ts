/** A role as loaded from `roles/<name>/role.yaml`: data only. */
export type VarType = 'string' | 'boolean' | 'integer' | 'list' | 'map' | 'version' | 'path' | 'registry' | 'name' | 'port' | 'filename' | 'any';

export interface Where {
  file: string;
  line: number;
  col: number;
}

export interface VariableSpec {
  name: string;
  type: VarType;
  description: string;
  /** Absent when the variable is required. */
  default?: unknown;
  hasDefault: boolean;
  choices?: unknown[];
  /** For a list: the type of each element (a list of paths is checked path by path). */
  items?: VarType;
  /** A named domain check (see roles/variable-checks.ts). */
  check?: string;
  /** The role that declares it, or "shared" for roles/variables.yaml. */
  owner: string;
  where: Where;
}

export interface TaskSpec {
  name: string;
  type: string;
  args: Record<string, unknown>;
  when?: string;
  loop?: string;
  /** Act only if one of these paths exists on the node. */
  ifExists?: string[];
  notify: string[];
  /** A check whose failure is only a warning. */
  warn?: boolean;
  role: string;
  where: Where;
}

export interface Role {
  name: string;
  description: string;
  aliases: string[];
  /** The kinds of preflight checks the role's work needs on a node (`preflight:`, see PREFLIGHT_KINDS). */
  preflight: string[];
  variables: Record<string, VariableSpec>;
  tasks: TaskSpec[];
  handlers: TaskSpec[];
  /** Checks run on the host after its roles (rollout verification). */
  verify: TaskSpec[];
  file: string;
}

export interface RoleCatalog {
  roles: Role[];
  /** Every declared variable, shared and per role: one namespace, as Ansible's role defaults. */
  variables: Record<string, VariableSpec>;
  templateDir: string;
}
