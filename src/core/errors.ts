/**
 * One error root for everything `provision` reports. Context (host, role, task, file position)
 * travels with the error so the CLI can print it in one place; nothing below the CLI formats text
 * for a terminal.
 */
export interface ErrorContext {
  host?: string;
  role?: string;
  task?: string;
  file?: string;
  line?: number;
  col?: number;
  cause?: unknown;
}

export type ErrorCode = 'INVENTORY' | 'VALIDATION' | 'TEMPLATE' | 'TRANSPORT' | 'TASK' | 'USAGE';

export class ProvisionError extends Error {
  readonly code: ErrorCode;
  readonly host?: string;
  readonly role?: string;
  readonly task?: string;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.code = code;
    Object.assign(this, pickDefined(context));
  }

  /** Where in a file the error points, for errors found by code that does not know the file. */
  located(where: { file?: string; line?: number; col?: number }): this {
    for (const k of ['file', 'line', 'col'] as const) if (this[k] === undefined && where[k] !== undefined) Object.assign(this, { [k]: where[k] });
    return this;
  }

  /** `file:line:col` when the error points into a file, else undefined. */
  get location(): string | undefined {
    if (!this.file) return undefined;
    if (this.line === undefined) return this.file;
    return this.col === undefined ? `${this.file}:${this.line}` : `${this.file}:${this.line}:${this.col}`;
  }
}

const sub = (code: ErrorCode) =>
  class extends ProvisionError {
    constructor(message: string, context: ErrorContext = {}) {
      super(code, message, context);
    }
  };

export class InventoryError extends sub('INVENTORY') {}
export class ValidationError extends sub('VALIDATION') {}
export class TemplateError extends sub('TEMPLATE') {}
export class TransportError extends sub('TRANSPORT') {}
/** The connection broke while in use (closed, reset, no exit status, no answer): what was running there has an unknown outcome. */
export class ConnectionLostError extends TransportError {}
export class TaskError extends sub('TASK') {}
/** What a node answered does not fit the shape provision reads (a gather, a carried file, an apply script's stream): that host fails. */
export class NodeAnswerError extends sub('TASK') {
  constructor(where: string, context: ErrorContext = {}) {
    super(`node answered something provision cannot read: ${where}`, context);
  }
}
export class UsageError extends sub('USAGE') {}
/** A task type's complaint about its input or the node's state: the task fails with it. */
export class PlanError extends sub('TASK') {}

/** Several input errors found in one pass: users fix them all at once instead of one per run. */
export class ErrorList extends ProvisionError {
  readonly errors: ProvisionError[];
  constructor(errors: ProvisionError[]) {
    super(errors[0]?.code ?? 'VALIDATION', `${errors.length} errors`);
    this.errors = errors;
  }
}

function pickDefined(context: ErrorContext): Partial<ErrorContext> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(context)) if (v !== undefined && k !== 'cause') out[k] = v;
  return out;
}
