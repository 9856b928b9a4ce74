/** Values more than one module must agree on. */

/** Where each run keeps the files it replaced on a node: <root>/<run-id>/<path>. */
export const BACKUP_ROOT = '/var/backups/provision';

/** Suffix of the temporary file a write goes to before it is renamed over its target. */
export const TEMP_SUFFIX = '.provision-tmp';

/** Hosts worked on at once (Ansible's forks). */
export const DEFAULT_FORKS = 20;

/** Seconds to wait for an SSH connection. */
export const DEFAULT_CONNECT_TIMEOUT_S = 10;

/** A DNS-1123 label (Kubernetes names of RuntimeClass handlers and such). */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1123 subdomain (node names), at most 253 characters. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** `stat -c` format of the receipts' quick check, as rsync's: size, mtime to the nanosecond, inode (a replaced file is a new inode). */
export const QUICK_CHECK_STAT = '%s %.9Y %i';

/**
 * Where provision keeps its state on a node. PROVISION_STATE_DIR (read on the controller) moves it:
 * the tests set it to a directory of their own, so a test on this machine (ansible_connection=local)
 * never touches the machine's real state.
 */
export const STATE_DIR = process.env.PROVISION_STATE_DIR || '/var/lib/provision';

/** Receipts of what provision installed on a node (archive members with size, mtime, mode, sha256), read by the quick check. */
export const RECEIPT_ROOT = `${STATE_DIR}/receipts`;

/**
 * Set (exported) by a gather that runs inside an apply script: only there may a probe record a
 * receipt of what it found (see configDumpFact); a read-only gather (preflight, --check) writes nothing.
 */
export const RECORD_ENV = 'PROVISION_RECORD';

/** A marker per handler a change notified, removed when the handler has run: a run cut short leaves it for the next. */
export const OWED_HANDLERS_DIR = `${STATE_DIR}/pending-handlers`;
