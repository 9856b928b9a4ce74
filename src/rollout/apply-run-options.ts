import type { Listener } from '../core/events.js';
import type { TransportFactory } from '../plan/model.js';
import type { Strategy } from './scheduler.js';
import type { PauseAsk } from './pause.js';
import type { Serial } from './waves.js';

/** What a rollout is asked to do (the CLI's flags, or a library caller's), read by applyRun and each host's steps. */
export interface ApplyRunOptions {
  check?: boolean;
  diff?: boolean;
  /** --verify-content: receipts' quick check is not trusted; archives and downloads are read. */
  verifyContent?: boolean;
  forks?: number;
  runId?: string;
  /** Default /var/backups/provision. */
  backupRoot?: string;
  /** Waves as Ansible's serial, or the window's width; default: the first host's provision_serial, else all hosts. */
  serial?: Serial;
  /** Default: the first host's provision_strategy, else waves. */
  strategy?: Strategy;
  /** Over the whole run; default: the first host's provision_max_fail_percentage. */
  maxFailPercentage?: number;
  /** Hosts that may fail over the whole run; default: the first host's provision_max_fail. */
  maxFail?: number;
  /** provision_pause_after / --step: asks whether to go on (the CLI: y/N on a terminal, else --yes). */
  pause?: PauseAsk;
  /** --step: pause after every wave (window: every host). */
  step?: boolean;
  /** --disable-eviction: drains delete pods instead of evicting them, past PodDisruptionBudgets. */
  disableEviction?: boolean;
  /** Hosts the run this one resumes left drained: not drained again. */
  resumeDrained?: ReadonlySet<string>;
  connect: TransportFactory;
  listener?: Listener;
  interrupted?: () => boolean;
  /** Seconds an apply script may run (--task-timeout); default: each host's provision_task_timeout. */
  timeLimitS?: number;
}
