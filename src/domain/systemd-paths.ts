/**
 * Where systemd loads system unit files from (systemd.unit(5), "Unit File Load Path": /etc, /run,
 * /lib and /usr/lib systemd/system; drop-ins in <unit>.d/ below them).
 */
const UNIT_DIR = /^\/(etc|run|lib|usr\/lib)\/systemd\/system\//;

/** The unit a path is the unit file of (drop-ins excluded), if any. */
export const unitOfFile = (path: string): string | undefined =>
  UNIT_DIR.test(path) ? /^\/(?:etc|run|lib|usr\/lib)\/systemd\/system\/([^/]+)$/.exec(path)?.[1] : undefined;

/** Whether systemd reads `path` as (part of) a unit: a change needs `systemctl daemon-reload`. */
export const isUnitConfig = (path: string): boolean => UNIT_DIR.test(path);
