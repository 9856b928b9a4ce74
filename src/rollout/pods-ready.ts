/**
 * The pods of a `kubectl get pods -o json` list that are not Running and Ready, each as
 * `namespace/name: why`. Pods that ran to completion (Succeeded) are not waited for.
 */
export function podsNotReady(list: unknown): string[] {
  const items = (list as { items?: unknown })?.items;
  if (!Array.isArray(items)) throw new Error('no "items" list');
  const out: string[] = [];
  for (const pod of items as PodJson[]) {
    const name = `${pod?.metadata?.namespace ?? '?'}/${pod?.metadata?.name ?? '?'}`;
    const phase = pod?.status?.phase ?? 'Unknown';
    if (phase === 'Succeeded') continue;
    const ready = (pod?.status?.conditions ?? []).find((c) => c?.type === 'Ready');
    if (phase !== 'Running') out.push(`${name}: ${phase}`);
    else if (ready?.status !== 'True') out.push(`${name}: not ready${ready?.reason ? ` (${ready.reason})` : ''}`);
  }
  return out;
}

interface PodJson {
  metadata?: { name?: string; namespace?: string };
  status?: { phase?: string; conditions?: { type?: string; status?: string; reason?: string }[] };
}
