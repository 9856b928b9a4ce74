"""Runs the real ansible CLIs many times from one Python process.

ansible-core takes about a second to import; a few thousand `ansible-inventory` runs would take
most of an hour. This driver imports the CLI classes once, then forks one child per run: the child
calls `InventoryCLI.cli_executor(argv)` / `AdHocCLI.cli_executor(argv)`, exactly what
/usr/bin/ansible-inventory and /usr/bin/ansible call, with its own fresh process state (argument
parsing, config, singletons), so each run is the unmodified ansible code path.

Input (stdin): JSON list of {"cli": "inventory"|"adhoc", "argv": [...], "cwd": "..."}.
Output (stdout): JSON list of {"rc", "stdout", "stderr"} in the same order.
"""
import json
import os
import sys
import tempfile

from ansible.cli.adhoc import AdHocCLI
from ansible.cli.inventory import InventoryCLI

CLIS = {'inventory': (InventoryCLI, 'ansible-inventory'), 'adhoc': (AdHocCLI, 'ansible')}


def start(job, outdir, index):
    out = os.path.join(outdir, '%d.out' % index)
    err = os.path.join(outdir, '%d.err' % index)
    pid = os.fork()
    if pid == 0:
        try:
            fd_out = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            fd_err = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd_out, 1)
            os.dup2(fd_err, 2)
            os.chdir(job.get('cwd') or '.')
            cls, prog = CLIS[job['cli']]
            cls.cli_executor([prog] + job['argv'])
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 250
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return pid, out, err


def main():
    jobs = json.load(sys.stdin)
    parallel = int(os.environ.get('DRIVER_PARALLEL', '2'))
    results = [None] * len(jobs)
    running = {}
    with tempfile.TemporaryDirectory() as outdir:
        nxt = 0
        while nxt < len(jobs) or running:
            while nxt < len(jobs) and len(running) < parallel:
                running[start(jobs[nxt], outdir, nxt)[0]] = nxt
                nxt += 1
            pid, status = os.wait()
            index = running.pop(pid)
            with open(os.path.join(outdir, '%d.out' % index), encoding='utf-8', errors='replace') as f:
                stdout = f.read()
            with open(os.path.join(outdir, '%d.err' % index), encoding='utf-8', errors='replace') as f:
                stderr = f.read()
            results[index] = {'rc': os.waitstatus_to_exitcode(status), 'stdout': stdout, 'stderr': stderr}
    json.dump(results, sys.stdout)


main()
