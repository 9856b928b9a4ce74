/**
 * A registry as containerd's certs.d names its directories: host[:port], or `_default`
 * (https://github.com/containerd/containerd/blob/main/docs/hosts.md). Domain knowledge: the roles'
 * `registry` value type and the carrying of Docker's registry settings both read it.
 */
export function registryProblem(v: unknown): string | undefined {
  if (v === '_default') return undefined;
  const m =
    typeof v === 'string'
      ? /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/.exec(v)
      : null;
  const badPort = m?.[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535);
  if (!m || badPort) return `expected a registry host[:port] such as "docker.io" or "registry.example:5000", got ${JSON.stringify(v)}`;
  return undefined;
}
