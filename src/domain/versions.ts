/** Kubernetes/containerd style versions: "1.27", "1.27.3", "v1.27.3", "2.0.0-rc.1". */
export function parseVersion(text: string): number[] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+~].*)?$/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) throw new Error(`not a version: "${pa ? b : a}"`);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

export const versionAtLeast = (version: string, min: string) => compareVersions(version, min) >= 0;
