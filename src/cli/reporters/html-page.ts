/**
 * The page of `provision report --html`: one file, no network. The report's JSON is embedded and
 * drawn by the script below, a page of hosts at a time, so 10,000 hosts stay fast to open.
 */
export const STYLE = `
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.2em 0 .4em}
.cards span{display:inline-block;padding:.3em .8em;margin:0 .4em .4em 0;border-radius:4px;color:#fff}
.ok{background:#2e7d32}.changed{background:#c77700}.failed{background:#c62828}.unreachable{background:#6a1b9a}.skipped{background:#607d8b}.notstarted{background:#9e9e9e}.unknown{background:#37474f}
table{border-collapse:collapse;width:100%}td,th{padding:.25em .5em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
.gantt{position:relative;height:16px;background:#f4f4f4;min-width:300px}.gantt div{position:absolute;top:2px;height:12px;min-width:1px}
.status{display:inline-block;padding:0 .5em;border-radius:3px;color:#fff;font-size:12px}
pre{background:#f7f7f7;padding:.5em;overflow:auto;max-height:30em;font-size:12px}
#pager button{margin-right:.3em}details{margin:.2em 0}
`;

export const SCRIPT = `
const R = JSON.parse(document.getElementById('report').textContent);
const PAGE = 100;
const el = (tag, attrs = {}, ...kids) => { const e = document.createElement(tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); for (const k of kids) e.append(k); return e; };
const hosts = Object.keys(R.summary).sort();
const notStarted = R.notStarted || [];
const status = (s) => s.unreachable ? 'unreachable' : s.failed ? 'failed' : s.changed ? 'changed' : 'ok';
const byHost = new Map();
for (const t of R.tasks) { if (!byHost.has(t.host)) byHost.set(t.host, []); byHost.get(t.host).push(t); }
// Not Math.max(...all): the half million tasks of 10,000 hosts overflow the stack as arguments.
const end = R.tasks.reduce((m, t) => Math.max(m, t.end || 0), 1);
const counts = {};
for (const h of hosts) counts[status(R.summary[h])] = (counts[status(R.summary[h])] || 0) + 1;
if (notStarted.length) counts.notstarted = notStarted.length;
document.getElementById('cards').append(...Object.entries(counts).map(([k, n]) => el('span', { class: k }, k + ' ' + n)));
const meta = document.getElementById('meta');
meta.textContent = (R.runId ? 'run ' + R.runId + ' · ' : '') + (R.startedAt || '') + ' · ' + hosts.length + ' hosts · ' + (end / 1000).toFixed(1) + ' s' + (R.check ? ' · check mode' : '');
function bar(from, to, cls, title) { const d = el('div', { class: cls, title }); d.style.left = (100 * from / end) + '%'; d.style.width = Math.max(0.2, 100 * (to - from) / end) + '%'; return d; }
// Reports written before "batch" became "wave" name them batches.
const waves = document.getElementById('waves');
const none = (v) => v === undefined || v === null;
const budget = none(R.maxFailPercentage) && none(R.maxFail) ? 'no failure budget (a wave in which every host failed stops the rollout)' : 'failure budget over the run: ' + [none(R.maxFailPercentage) ? '' : R.maxFailPercentage + '% of the hosts', none(R.maxFail) ? '' : R.maxFail + ' hosts'].filter(Boolean).join(' or ');
waves.append(el('p', {}, (R.strategy === 'window' ? 'a sliding window, ' : '') + budget + (R.stopped ? '; stopped: ' + R.stopped : '')));
for (const b of R.waves || R.batches || []) {
  const failed = b.hosts.filter((h) => R.summary[h] && (R.summary[h].failed || R.summary[h].unreachable)).length;
  const ends = b.hosts.map((h) => (R.hosts && R.hosts[h] && R.hosts[h].end) || b.start);
  const g = el('td', {}, el('div', { class: 'gantt' }, bar(b.start, Math.max(...ends), failed ? 'failed' : 'ok', 'wave ' + b.index)));
  waves.querySelector('tbody') || waves.append(el('table', {}, el('tbody')));
  waves.querySelector('tbody').append(el('tr', {}, el('td', {}, 'wave ' + b.index + '/' + b.of), el('td', {}, b.hosts.length + ' hosts, ' + failed + ' failed'), g));
}
// Gates checked between waves (window: after hosts) and pauses, in the order they came.
const checks = [...(R.gates || []).map((g) => ({ at: g.at, text: 'gate ' + g.name + ' ' + (g.passed ? 'passed' : 'FAILED') + ' after ' + g.after.join(', ') + ' (' + Math.round(g.waitedMs / 1000) + ' s): ' + g.answer, ok: g.passed })),
  ...(R.pauses || []).map((p) => ({ at: p.at, text: 'paused after ' + p.after + ': ' + (p.goOn ? 'went on' : 'stopped') + ' (' + p.reason + ')', ok: p.goOn }))].sort((a, b) => a.at - b.at);
if (checks.length) waves.append(el('ul', {}, ...checks.map((c) => el('li', { class: c.ok ? 'ok' : 'failed' }, c.text))));
let page = 0, filter = '';
function hostRow(h) {
  const s = R.summary[h], st = status(s), tasks = byHost.get(h) || [];
  const g = el('div', { class: 'gantt' });
  for (const t of tasks) g.append(bar(t.start || 0, t.end || 0, t.status, (t.role || '') + ' > ' + (t.task || '') + ': ' + t.status));
  const det = el('details', {}, el('summary', {}, tasks.length + ' tasks'));
  det.addEventListener('toggle', () => {
    if (det.childNodes.length > 1) return;
    for (const t of tasks) {
      const line = el('div', {}, el('span', { class: 'status ' + t.status }, t.status), ' ' + (t.role || '') + ' > ' + (t.task || '') + (t.reason ? ' (' + t.reason + ')' : ''));
      if (t.changes) line.append(el('pre', {}, t.changes.join('\\n')));
      for (const d of t.diff || []) line.append(el('pre', {}, '--- ' + d.path + ' (before)\\n' + d.before + '\\n+++ ' + d.path + ' (after)\\n' + d.after));
      if (t.error) line.append(el('pre', {}, t.error));
      det.append(line);
    }
  });
  const verify = tasks.find((t) => t.task === 'verify node');
  return el('tr', { 'data-host': h, 'data-status': st }, el('td', {}, h), el('td', {}, el('span', { class: 'status ' + st }, st)),
    el('td', {}, 'ok=' + s.ok + ' changed=' + s.changed + ' failed=' + s.failed + ' skipped=' + s.skipped + ' unreachable=' + s.unreachable + (s.unknown ? ' unknown=' + s.unknown : '')),
    el('td', {}, verify ? verify.status + (verify.error ? ': ' + verify.error : verify.reason ? ': ' + verify.reason : '') : ''), el('td', {}, g, det));
}
function draw() {
  const list = hosts.filter((h) => !filter || h.includes(filter) || status(R.summary[h]) === filter);
  const pages = Math.max(1, Math.ceil(list.length / PAGE));
  page = Math.min(page, pages - 1);
  const body = document.querySelector('#hosts tbody');
  body.replaceChildren(...list.slice(page * PAGE, (page + 1) * PAGE).map(hostRow), ...notStarted.filter((h) => !filter || h.includes(filter)).map((h) => el('tr', { 'data-host': h, 'data-status': 'not started' }, el('td', {}, h), el('td', {}, el('span', { class: 'status notstarted' }, 'not started')))));
  const pager = document.getElementById('pager');
  pager.replaceChildren(el('span', {}, 'page ' + (page + 1) + ' of ' + pages + ' (' + list.length + ' hosts) '));
  const btn = (label, to) => { const b = el('button', {}, label); b.disabled = to < 0 || to >= pages || to === page; b.onclick = () => { page = to; draw(); }; return b; };
  pager.append(btn('first', 0), btn('previous', page - 1), btn('next', page + 1), btn('last', pages - 1));
}
document.getElementById('filter').addEventListener('input', (e) => { filter = e.target.value.trim(); page = 0; draw(); });
draw();
`;
