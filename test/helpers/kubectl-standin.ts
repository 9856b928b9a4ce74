import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A kubectl STAND-IN for tests (no Kubernetes API server runs here), written as `<binDir>/kubectl`:
 * `get` answers an empty list; every other call is recorded in $KUBECTL_LOG, one argument a line,
 * a blank line after.
 */
export function writeKubectlStandin(binDir: string): void {
  mkdirSync(binDir, { recursive: true });
  writeFileSync(
    join(binDir, 'kubectl'),
    '#!/bin/sh\n# kubectl STAND-IN for tests: records every call, one argument a line, a blank line after.\n[ "$1" = get ] && { echo \'{"items":[]}\'; exit 0; }\nprintf \'%s\\n\' "$@" "" >> "$KUBECTL_LOG"\n',
  );
  chmodSync(join(binDir, 'kubectl'), 0o755);
}
