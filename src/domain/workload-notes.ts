/**
 * What changes for the workloads of a node moved off Docker, told per node: container logs change
 * format (Docker's JSON lines become CRI lines, `<time> <stream> <P|F> <message>`), which a log
 * collector must be told, and pods that mount Docker's socket lose it.
 * Source for the format: https://github.com/kubernetes/design-proposals-archive/blob/main/node/kubelet-cri-logging.md ;
 * https://kubernetes.io/docs/tasks/administer-cluster/migrating-from-dockershim/check-if-dockershim-removal-affects-you/
 */
export interface LogCollector {
  /** Matched against the daemonset's name and its containers' images. */
  pattern: RegExp;
  name: string;
  /** What to change in it. */
  fix: string;
  source: string;
}

export const LOG_COLLECTORS: LogCollector[] = [
  {
    pattern: /fluent-?bit/,
    name: 'Fluent Bit',
    fix: 'use the cri parser (multiline.parser cri) in its tail input',
    source: 'https://docs.fluentbit.io/manual/pipeline/inputs/tail#multiline-and-containers-v1.8',
  },
  {
    pattern: /fluentd/,
    name: 'Fluentd',
    fix: 'parse with @type cri (fluent-plugin-parser-cri) instead of json',
    source: 'https://github.com/fluent/fluent-plugin-parser-cri',
  },
  {
    pattern: /filebeat/,
    name: 'Filebeat',
    fix: 'use the container input (format: auto or cri) instead of the docker input',
    source: 'https://www.elastic.co/guide/en/beats/filebeat/current/filebeat-input-container.html',
  },
  {
    pattern: /promtail/,
    name: 'Promtail',
    fix: 'use the cri stage (pipeline_stages: - cri: {}) instead of docker',
    source: 'https://grafana.com/docs/loki/latest/send-data/promtail/stages/cri/',
  },
  {
    pattern: /(^|[/-])vector([:@/-]|$)/,
    name: 'Vector',
    fix: 'its kubernetes_logs source reads CRI logs; check transforms that expect Docker JSON fields',
    source: 'https://vector.dev/docs/reference/configuration/sources/kubernetes_logs/',
  },
  {
    pattern: /logstash/,
    name: 'Logstash',
    fix: 'parse CRI lines (timestamp, stream, tag, message) instead of Docker JSON',
    source: 'https://kubernetes.io/docs/tasks/administer-cluster/migrating-from-dockershim/check-if-dockershim-removal-affects-you/',
  },
  {
    pattern: /grafana-agent|alloy/,
    name: 'Grafana Agent / Alloy',
    fix: 'use stage.cri in the loki.process pipeline instead of stage.docker',
    source: 'https://grafana.com/docs/alloy/latest/reference/components/loki/loki.process/#stagecri',
  },
];

interface DaemonSetItem {
  metadata?: { namespace?: string; name?: string };
  spec?: { template?: { spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] } } };
}

/** The known log collectors among the daemonsets of `kubectl get daemonsets -A -o json`. */
export function logCollectorsIn(daemonSets: unknown): { daemonset: string; collector: LogCollector }[] {
  const items = ((daemonSets as { items?: unknown[] })?.items ?? []) as DaemonSetItem[];
  const out: { daemonset: string; collector: LogCollector }[] = [];
  for (const ds of items) {
    const spec = ds.spec?.template?.spec;
    const images = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((c) => c.image ?? '');
    const collector = LOG_COLLECTORS.find((c) => [ds.metadata?.name ?? '', ...images].some((s) => c.pattern.test(s.toLowerCase())));
    if (collector) out.push({ daemonset: `${ds.metadata?.namespace}/${ds.metadata?.name}`, collector });
  }
  return out;
}

export function logFormatNote(found: { daemonset: string; collector: LogCollector }[]): string | undefined {
  if (found.length === 0) return undefined;
  return `container logs switch from Docker's JSON lines to the CRI format (<time> <stream> <P|F> <message>); log collectors found: ${found
    .map((f) => `${f.daemonset} (${f.collector.name}: ${f.collector.fix})`)
    .join('; ')}`;
}
