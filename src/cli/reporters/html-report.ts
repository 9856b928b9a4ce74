import { SCRIPT, STYLE } from './html-page.js';

/** `<` escaped so that no value in the report can close the script element that holds it. */
const embed = (report: unknown) => JSON.stringify(report).replace(/</g, '\\u003c');

/** One self-contained HTML file for a run's JSON report: no network needed to open it. */
export function htmlReport(report: Record<string, unknown>): string {
  const title = `provision run ${typeof report.runId === 'string' ? report.runId : ''}`.trim();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title.replace(/[<&]/g, '')}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<style>${STYLE}</style></head>
<body>
<h1>provision rollout report</h1><div id="meta"></div><div id="cards" class="cards"></div>
<h2>Waves</h2><div id="waves"></div>
<h2>Hosts</h2><input id="filter" placeholder="filter: host name or status"> <span id="pager"></span>
<table id="hosts"><thead><tr><th>host</th><th>status</th><th>counts</th><th>verification</th><th>timeline (roles and tasks over time)</th></tr></thead><tbody></tbody></table>
<script type="application/json" id="report">${embed(report)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
