import { type Change, changes, noop } from '../core/change.js';
import { factValue } from '../facts/fact.js';
import { type UnitState, unitFact } from '../facts/unit-state.js';
import { q } from '../transport/shell.js';
import { PlanError } from '../core/errors.js';
import { defineTaskType } from './task-type.js';

/**
 * A unit started, stopped, restarted or reloaded; enabled or not; masked or not; with a
 * daemon-reload first when its unit file changed on disk. A started unit must reach
 * "active" within a few seconds, or the task fails with the unit's last journal lines.
 */
export const systemdTask = defineTaskType({
  name: 'systemd',
  doc: 'a systemd unit: running state, enablement, masking; daemon-reload when unit files changed',
  args: {
    name: { type: 'string', doc: 'unit name (may be left out for a bare daemon_reload)' },
    state: { type: 'string', choices: ['started', 'stopped', 'restarted', 'reloaded'], doc: 'running state' },
    enabled: { type: 'boolean', doc: 'start at boot' },
    masked: { type: 'boolean', doc: 'masked' },
    daemon_reload: { type: 'boolean', doc: 'run systemctl daemon-reload first' },
  },
  oneOf: ['name', 'daemon_reload'],
  facts: (args) => (args.name ? [unitFact(String(args.name))] : []),
  plan(args, facts, ctx) {
    const name = args.name as string | undefined;
    if (!name) return changes({ what: 'daemon-reload', script: 'systemctl daemon-reload', predict: [{ kind: 'daemon-reload' }] });
    const unit = factValue(facts, unitFact(name));
    const out: Change[] = [];
    const notFound = unit.loadState === 'not-found';
    const becomes = (state: Record<string, unknown>) => [{ kind: 'unit' as const, name, state }];
    if (args.daemon_reload && (unit.needDaemonReload || ctx.unitFilesChanged)) {
      out.push({
        what: 'daemon-reload (unit file changed)',
        script: 'systemctl daemon-reload',
        predict: [...becomes({ needDaemonReload: false }), { kind: 'daemon-reload' }],
      });
    }
    const masked = unit.unitFileState === 'masked' || unit.loadState === 'masked';
    if (args.masked === true && !masked) out.push({ what: `mask ${name}`, script: `systemctl mask ${q(name)}`, predict: becomes({ unitFileState: 'masked' }) });
    if (args.masked === false && masked)
      out.push({ what: `unmask ${name}`, script: `systemctl unmask ${q(name)}`, predict: becomes({ unitFileState: 'disabled' }) });

    const needsUnit = (why: string): Change => {
      if (!ctx.check) throw new PlanError(`unit ${name} not found: cannot ${why}`);
      return { what: `${why} ${name} (unit not found yet: an earlier task may create it)`, script: 'true' };
    };
    if (args.enabled === true) {
      if (notFound) out.push(needsUnit('enable'));
      else if (unit.unitFileState === 'disabled' || (unit.unitFileState === 'masked' && args.masked === false)) {
        out.push({
          what: `enable ${name} (${unit.unitFileState} -> enabled)`,
          script: `systemctl enable ${q(name)}`,
          predict: becomes({ unitFileState: 'enabled' }),
        });
      }
    }
    if (args.enabled === false && ['enabled', 'enabled-runtime', 'linked'].includes(unit.unitFileState)) {
      out.push({
        what: `disable ${name} (${unit.unitFileState} -> disabled)`,
        script: `systemctl disable ${q(name)}`,
        predict: becomes({ unitFileState: 'disabled' }),
      });
    }
    out.push(...runningStateChanges(name, unit, args.state as string | undefined, needsUnit));
    if (out.length) return changes(...out);
    if (notFound) return noop(`unit ${name} does not exist`);
    return noop(`${name} is ${unit.activeState}, ${unit.unitFileState || 'no unit file state'}`);
  },
});

/** `state:` started, stopped, restarted or reloaded: what it takes from the unit's running state now. */
function runningStateChanges(name: string, unit: UnitState, state: string | undefined, needsUnit: (why: string) => Change): Change[] {
  const notFound = unit.loadState === 'not-found';
  const becomes = (activeState: string) => [{ kind: 'unit' as const, name, state: { activeState } }];
  const active = unit.activeState === 'active' || unit.activeState === 'reloading';
  if (state === 'started' && !active) {
    if (notFound) return [needsUnit('start')];
    return [{ what: `start ${name} (${unit.activeState} -> active)`, script: `systemctl start ${q(name)}\n${waitActive(name)}`, predict: becomes('active') }];
  }
  if (state === 'stopped' && (active || unit.activeState === 'activating')) {
    return [{ what: `stop ${name} (${unit.activeState} -> inactive)`, script: `systemctl stop ${q(name)}`, predict: becomes('inactive') }];
  }
  if (state === 'restarted') {
    if (notFound) return [needsUnit('restart')];
    return [{ what: `restart ${name}`, script: `systemctl restart ${q(name)}\n${waitActive(name)}`, predict: becomes('active') }];
  }
  if (state === 'reloaded') {
    if (notFound) return [needsUnit('reload')];
    return [{ what: `reload ${name}`, script: `systemctl reload-or-restart ${q(name)}`, predict: becomes('active') }];
  }
  return [];
}

/** Up to 10 s for the unit to be active; else its last journal lines, for the failure report. */
function waitActive(name: string): string {
  const u = q(name);
  return `i=0; until systemctl is-active --quiet ${u}; do i=$((i+1)); if [ $i -ge 20 ]; then printf '%s (%s)\\n' ${q(`${name} did not become active`)} "$(systemctl is-active ${u})" >&2; journalctl -u ${u} -n 15 --no-pager -o cat >&2 2>/dev/null; exit 1; fi; sleep 0.5; done`;
}
