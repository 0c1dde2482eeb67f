// genbench dashboard: plain JavaScript, no libraries; the server's JSON API is under /api/.
'use strict';

const state = {
  tab: 'runs',
  runs: [],
  selected: null,          // run id shown in the detail pane
  ticked: new Set(),       // runs ticked for compare
  components: [],
  bundles: [],
  detailStamp: '',
};

// ---------- helpers

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children.flat()) if (c) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

async function api(method, path, body, headers = {}) {
  const res = await fetch('/api/' + path, { method, body, headers, credentials: 'same-origin' });
  let data = null;
  const text = await res.text();
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: text }; }
  return { status: res.status, ok: res.ok, data };
}

function fmt(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  return (a >= 1e-3 && a < 1e6) ? v.toFixed(4) : v.toExponential(3);
}

function setStatus(text) { $('#status-line').textContent = text; }

// ---------- tabs

function show(tab) {
  state.tab = tab;
  $$('nav button').forEach(b => b.classList.toggle('active', b.dataset.tab === tab));
  $$('.view').forEach(v => v.classList.toggle('active', v.id === 'view-' + tab));
  if (tab === 'components' || tab === 'plugins') loadComponents();
  if (tab === 'runs') refreshRuns();
}

// ---------- runs

async function refreshRuns() {
  const r = await api('GET', 'runs');
  if (!r.ok) { setStatus(r.data && r.data.error || 'cannot read runs'); return; }
  state.runs = r.data.runs;
  const live = state.runs.filter(x => x.status === 'running').length;
  setStatus(state.runs.length + ' runs' + (live ? ', ' + live + ' running' : ''));
  renderRuns();
  if (state.selected) refreshDetail();
}

function progressCell(run) {
  if (run.live) {
    const l = run.live;
    const frac = l.total > 0 ? Math.min(1, l.done / l.total) : 0;
    const bar = el('div', { class: 'bar' }, el('div', { class: 'fill' }));
    bar.firstChild.style.width = (100 * frac).toFixed(1) + '%';
    const latest = Object.entries(l.latest || {}).map(([c, vals]) =>
      Object.entries(vals).filter(([k]) => k !== 'step').slice(0, 2).map(([k, v]) => c + '/' + k + ' ' + fmt(v)).join('  ')).join('  ');
    return el('td', { class: 'progress' },
      el('div', { class: 'phase', text: l.phase + (l.component ? ' · ' + l.component : '') +
        (l.total > 0 ? ' ' + l.done + '/' + l.total : '') }), bar,
      latest ? el('div', { class: 'latest', text: latest }) : null);
  }
  if (run.error) return el('td', { class: 'error-text', text: run.error });
  // Held-out metrics first: they are what a list of runs is usually scanned for.
  const rank = k => (/test|loglik|fid|elbo/i.test(k) && !/_se$/.test(k)) ? 0 : 1;
  const entries = Object.entries(run.metrics || {}).sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0])).slice(0, 3);
  return el('td', { class: 'metrics-brief' }, entries.map(([k, v]) => el('span', { class: 'metric' }, el('b', { text: k }), ' ' + fmt(v))));
}

const rowCache = new Map(); // run id -> { stamp, tr }: rows are rebuilt only when their run changed

function runRow(run) {
  const tick = el('input', { type: 'checkbox', class: 'tick', checked: state.ticked.has(run.id) });
  tick.addEventListener('click', e => {
    e.stopPropagation();
    if (tick.checked) state.ticked.add(run.id); else state.ticked.delete(run.id);
    $('#compare-selected').disabled = state.ticked.size < 1;
  });
  const tr = el('tr', { 'data-run': run.id },
    el('td', {}, tick),
    el('td', { class: 'run-id' }, el('div', { class: 'name', text: run.name }), el('div', { class: 'id', text: run.id })),
    el('td', {}, el('span', { class: 'status ' + run.status, text: run.status })),
    el('td', { text: run.seed }),
    progressCell(run));
  tr.addEventListener('click', () => { state.selected = run.id; state.detailStamp = ''; renderRuns(); refreshDetail(); });
  return tr;
}

function renderRuns() {
  const body = $('#runs-table tbody');
  const rows = state.runs.map(run => {
    const stamp = JSON.stringify(run);
    let cached = rowCache.get(run.id);
    if (!cached || cached.stamp !== stamp) {
      cached = { stamp, tr: runRow(run) };
      rowCache.set(run.id, cached);
    }
    cached.tr.classList.toggle('selected', run.id === state.selected);
    $('input.tick', cached.tr).checked = state.ticked.has(run.id);
    return cached.tr;
  });
  const ids = new Set(state.runs.map(r => r.id));
  for (const id of rowCache.keys()) if (!ids.has(id)) rowCache.delete(id);
  // Move rows only where the order changed, so a row under the pointer is not replaced needlessly.
  rows.forEach((tr, i) => { if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] || null); });
  while (body.children.length > rows.length) body.lastChild.remove();
  $('#runs-empty').classList.toggle('hidden', state.runs.length > 0);
  $('#compare-selected').disabled = state.ticked.size < 1;
}

async function refreshDetail() {
  const id = state.selected;
  const r = await api('GET', 'runs/' + encodeURIComponent(id));
  if (id !== state.selected) return;
  const pane = $('#run-detail');
  if (!r.ok) { pane.replaceChildren(el('p', { class: 'error-text', text: r.data.error })); return; }
  const d = r.data;
  const run = d.run || {};
  // Redraw only when something changed: pictures would flicker otherwise.
  const stamp = JSON.stringify([run.status, run.finished, d.live, d.pictures, d.metrics && d.metrics.metrics && d.metrics.metrics.length,
    Object.values(d.curves || {}).map(p => Object.values(p).map(s => s.length))]);
  if (stamp === state.detailStamp) return;
  state.detailStamp = stamp;

  const parts = [];
  parts.push(el('h2', {}, run.name || id, ' ', el('span', { class: 'status ' + (run.status || ''), text: run.status || '?' })));
  parts.push(el('div', { class: 'id', text: id + (run.started ? ' · started ' + run.started : '') + (run.finished ? ' · finished ' + run.finished : '') }));
  if (run.error) parts.push(el('pre', { class: 'error-text', text: run.error }));
  if (d.live) {
    const l = d.live;
    const frac = l.total > 0 ? Math.min(1, l.done / l.total) : 0;
    const bar = el('div', { class: 'bar big' }, el('div', { class: 'fill' }));
    bar.firstChild.style.width = (100 * frac).toFixed(1) + '%';
    parts.push(el('div', { class: 'live' }, el('div', { text: 'now: ' + l.phase + (l.component ? ' · ' + l.component : '') +
      (l.total > 0 ? ' — ' + l.done + ' of ' + l.total : '') + ' · ' + l.seconds.toFixed(1) + ' s' }), bar));
  }
  if (d.pictures && d.pictures.length) {
    parts.push(el('h3', { text: 'pictures' }));
    parts.push(el('div', { class: 'pictures' }, d.pictures.map(p => el('figure', {},
      el('img', { class: 'picture', src: '/api/runs/' + encodeURIComponent(id) + '/files/' + p + '?t=' + encodeURIComponent(run.finished || Date.now()), alt: p }),
      el('figcaption', { text: p })))));
  }
  if (d.metrics && d.metrics.metrics) {
    parts.push(el('h3', { text: 'final metrics' }));
    parts.push(el('table', { class: 'grid metrics-table' },
      el('thead', {}, el('tr', {}, el('th', { text: 'component' }), el('th', { text: 'metric' }), el('th', { text: 'value' }), el('th', { text: 'kind' }))),
      el('tbody', {}, d.metrics.metrics.map(m => el('tr', {},
        el('td', { text: (m.role ? m.role + ' ' : '') + m.component }), el('td', { text: m.name }),
        el('td', { class: 'num', text: m.value === null && m.nonFinite ? m.nonFinite : fmt(m.value) }), el('td', { text: m.kind || '' }))))));
  }
  const phases = Object.entries(d.curves || {});
  if (phases.length) {
    parts.push(el('h3', { text: 'curves' + (d.live ? ' (live)' : '') }));
    const charts = el('div', { class: 'charts' });
    for (const [phase, series] of phases) charts.append(lineChart(phase, series));
    parts.push(charts);
  }
  if (d.samples && d.samples.length) {
    parts.push(el('h3', { text: 'samples (Arrow IPC)' }));
    parts.push(el('ul', {}, d.samples.map(s => el('li', {}, el('a', { href: '/api/runs/' + encodeURIComponent(id) + '/files/' + s, text: s })))));
  }
  if (d.spec) {
    parts.push(el('details', {}, el('summary', { text: 'spec as run (every setting resolved)' }), el('pre', { text: JSON.stringify(d.spec, null, 2) })));
  }
  pane.replaceChildren(...parts);
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Round tick positions (1, 2 or 5 times a power of ten) inside [lo, hi], about n of them, with their labels. */
function niceTicks(lo, hi, n = 5) {
  if (!(hi > lo)) { hi = lo + 1; }
  const span = hi - lo, step0 = span / n, mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 5, 10].map(m => m * mag).find(s => span / s <= n) || 10 * mag;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-12 * span; t += step) {
    const v = +t.toPrecision(12);
    const a = Math.abs(v);
    out.push({ v, label: (a !== 0 && (a >= 1e6 || a < 1e-4)) ? v.toExponential(1) : v.toFixed(Math.min(decimals, 6)) });
  }
  return out;
}

/** One chart per phase: every series of that phase, x = step. */
function lineChart(title, series) {
  const W = 460, H = 240, L = 56, R = 12, T = 24, B = 30;
  let xs = [], ys = [];
  for (const pts of Object.values(series)) for (const [x, y] of pts) { xs.push(x); ys.push(y); }
  let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y0 -= 1; y1 += 1; }
  const pad = 0.05 * (y1 - y0); y0 -= pad; y1 += pad;
  const sx = x => L + (x - x0) / (x1 - x0) * (W - L - R);
  const sy = y => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img' });
  g.append(svg('text', { x: L, y: 15, class: 'chart-title' }, title));
  for (const t of niceTicks(y0, y1)) {
    g.append(svg('line', { x1: L, x2: W - R, y1: sy(t.v), y2: sy(t.v), class: 'gridline' }));
    g.append(svg('text', { x: L - 4, y: sy(t.v) + 4, class: 'tick', 'text-anchor': 'end' }, t.label));
  }
  for (const t of niceTicks(x0, x1)) {
    g.append(svg('text', { x: sx(t.v), y: H - B + 14, class: 'tick', 'text-anchor': 'middle' }, t.label));
  }
  g.append(svg('rect', { x: L, y: T, width: W - L - R, height: H - T - B, class: 'frame' }));
  let i = 0;
  const legend = [];
  for (const [name, pts] of Object.entries(series)) {
    const color = COLORS[i++ % COLORS.length];
    const d = pts.map(([x, y], k) => (k ? 'L' : 'M') + sx(x).toFixed(1) + ' ' + sy(y).toFixed(1)).join(' ');
    g.append(svg('path', { d, stroke: color, class: 'series' }));
    if (pts.length === 1) g.append(svg('circle', { cx: sx(pts[0][0]), cy: sy(pts[0][1]), r: 3, fill: color }));
    legend.push([name, color]);
  }
  legend.slice(0, 8).forEach(([name, color], k) => {
    g.append(svg('rect', { x: L + 8, y: T + 6 + 14 * k, width: 10, height: 3, fill: color }));
    g.append(svg('text', { x: L + 22, y: T + 10 + 14 * k, class: 'legend' }, name));
  });
  g.append(svg('text', { x: (L + W - R) / 2, y: H - 2, class: 'axis', 'text-anchor': 'middle' }, 'step'));
  return g;
}

// ---------- compare

async function compareTicked() {
  const ids = state.runs.map(r => r.id).filter(id => state.ticked.has(id)).reverse();
  show('compare');
  const out = $('#compare-out');
  out.replaceChildren(el('p', { class: 'hint', text: 'reading ' + ids.length + ' runs…' }));
  const r = await api('GET', 'compare?runs=' + ids.map(encodeURIComponent).join(','));
  if (!r.ok) { out.replaceChildren(el('p', { class: 'error-text', text: r.data.error })); return; }
  const c = r.data;
  const [head, ...rows] = c.table;
  const parts = [el('table', { class: 'grid compare-table' },
    el('thead', {}, el('tr', {}, head.map(h => el('th', { text: h })))),
    el('tbody', {}, rows.map(row => el('tr', {}, row.map((cell, k) => el('td', { class: k > 1 ? 'num' : '', text: cell }))))))];
  parts.push(el('ul', { class: 'legend-list' }, c.runs.map((run, k) => el('li', { text: '#' + (k + 1) + ' = ' + run.id }))));
  if (!c.groups.length && c.runs.length > 1) parts.push(el('p', { class: 'hint', text: 'no two runs share a spec but for the seed: no means' }));
  const charts = el('div', { class: 'charts' });
  for (const m of c.metrics) charts.append(compareChart(m, c));
  parts.push(el('h3', { text: 'per metric: each run (dots) and each group\'s mean ± sd (bars)' }), charts);
  out.replaceChildren(...parts);
}

function compareChart(metric, c) {
  // Columns: one per group (its runs as dots, the mean and ± sd as a bar) then one per ungrouped run.
  const grouped = new Set(c.groups.flatMap(g => g.members));
  const cols = c.groups.map((g, k) => ({ label: g.name + ' (n=' + g.members.length + ')', members: g.members, stats: metric.groups[k] }));
  c.runs.forEach((run, k) => { if (!grouped.has(k)) cols.push({ label: '#' + (k + 1) + ' ' + run.name, members: [k], stats: null }); });
  const W = Math.max(300, 90 * cols.length + 70), H = 230, L = 60, R = 10, T = 24, B = 48;
  const vals = [];
  cols.forEach(col => {
    col.members.forEach(k => { if (metric.values[k] !== null) vals.push(metric.values[k]); });
    if (col.stats && col.stats.mean !== null) vals.push(col.stats.mean - col.stats.sd, col.stats.mean + col.stats.sd);
  });
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img' });
  g.style.width = W + 'px';
  g.append(svg('text', { x: L, y: 15, class: 'chart-title' }, metric.name + (metric.kind ? ' (' + metric.kind + ')' : '')));
  if (!vals.length) { g.append(svg('text', { x: L, y: 60, class: 'tick' }, 'no finite values')); return g; }
  let y0 = Math.min(...vals), y1 = Math.max(...vals);
  if (y1 === y0) { y0 -= Math.abs(y0) * 0.1 + 1e-9; y1 += Math.abs(y1) * 0.1 + 1e-9; }
  const pad = 0.08 * (y1 - y0); y0 -= pad; y1 += pad;
  const sy = y => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const cw = (W - L - R) / cols.length;
  for (const t of niceTicks(y0, y1, 4)) {
    g.append(svg('line', { x1: L, x2: W - R, y1: sy(t.v), y2: sy(t.v), class: 'gridline' }));
    g.append(svg('text', { x: L - 4, y: sy(t.v) + 4, class: 'tick', 'text-anchor': 'end' }, t.label));
  }
  g.append(svg('rect', { x: L, y: T, width: W - L - R, height: H - T - B, class: 'frame' }));
  cols.forEach((col, k) => {
    const cx = L + cw * (k + 0.5), color = COLORS[k % COLORS.length];
    if (col.stats && col.stats.mean !== null) {
      const m = col.stats.mean, s = col.stats.sd;
      g.append(svg('rect', { x: cx - cw * 0.28, y: sy(m + s), width: cw * 0.56, height: Math.max(1, sy(m - s) - sy(m + s)), fill: color, class: 'sdbar' }));
      g.append(svg('line', { x1: cx - cw * 0.32, x2: cx + cw * 0.32, y1: sy(m), y2: sy(m), stroke: color, class: 'meanline' }));
    }
    col.members.forEach((idx, j) => {
      const v = metric.values[idx];
      if (v === null) return;
      const jitter = col.members.length > 1 ? (j / (col.members.length - 1) - 0.5) * cw * 0.3 : 0;
      g.append(svg('circle', { cx: cx + jitter, cy: sy(v), r: 3.5, fill: color, class: 'dot' }));
    });
    const label = col.label.length > 18 ? col.label.slice(0, 17) + '…' : col.label;
    g.append(svg('text', { x: cx, y: H - B + 16, class: 'tick', 'text-anchor': 'middle' }, label));
  });
  return g;
}

// ---------- compose

const ROLES = { dataset: 'dataset', model: 'model', trainer: 'trainer', sampler: 'sampler', evaluator: 'evaluator' };

function typesOf(role) {
  return state.components.filter(c => c.role === role).map(c => c.name);
}

function fillSelect(select, role, value, optional) {
  const names = typesOf(role);
  const opts = [];
  if (optional) opts.push(el('option', { value: '', text: '(none)' }));
  for (const n of names) opts.push(el('option', { value: n, text: n }));
  if (value && !names.includes(value)) opts.push(el('option', { value, text: value + ' (not installed)' }));
  select.replaceChildren(...opts);
  if (value !== undefined) select.value = value || '';
}

function partBox(list, index, role, spec) {
  const field = list + '[' + index + ']';
  const box = el('div', { class: 'part field', 'data-field': field, 'data-role': role },
    el('h3', {}, role + ' ' + (index + 1) + ' ', el('button', { type: 'button', class: 'small remove', text: '×', title: 'remove' })),
    el('select', { class: 'type' }),
    el('textarea', { class: 'config', rows: 3, spellcheck: 'false', placeholder: 'config as JSON' }),
    el('div', { class: 'field-error' }));
  fillSelect($('select', box), role, spec ? spec.type : undefined);
  if (spec && spec.config) $('textarea', box).value = JSON.stringify(spec.config);
  if (spec && spec.id && spec.id !== spec.type) box.dataset.id = spec.id;
  $('.remove', box).addEventListener('click', () => { box.remove(); renumber(list); preview(); });
  box.addEventListener('input', preview);
  return box;
}

function renumber(list) {
  $$('#' + list + ' > .part').forEach((box, i) => {
    box.dataset.field = list + '[' + i + ']';
    $('h3', box).firstChild.textContent = box.dataset.role + ' ' + (i + 1) + ' ';
  });
}

function addPart(list, role, spec) {
  const container = $('#' + list);
  container.append(partBox(list, container.children.length, role, spec));
}

function readConfig(box) {
  const text = $('textarea', box).value.trim();
  if (!text) return undefined;
  try { return JSON.parse(text); } catch (e) { throw { field: box.dataset.field, message: box.dataset.field + '.config is not valid JSON: ' + e.message }; }
}

function partSpec(box) {
  const type = $('select', box).value;
  if (!type) return undefined;
  const out = { type };
  if (box.dataset.id) out.id = box.dataset.id;
  const config = readConfig(box);
  if (config !== undefined) out.config = config;
  return out;
}

function buildSpec() {
  const spec = { name: $('#f-name').value.trim(), seed: Number($('#f-seed').value) };
  for (const role of ['dataset', 'model', 'trainer']) {
    const p = partSpec($(`#compose > .parts > .part[data-role=${role}]`));
    if (p) spec[role] = p;
  }
  spec.samplers = $$('#samplers > .part').map(partSpec).filter(Boolean);
  spec.evaluators = $$('#evaluators > .part').map(partSpec).filter(Boolean);
  return spec;
}

function preview() {
  try { $('#spec-preview').textContent = JSON.stringify(buildSpec(), null, 2); } catch (e) { $('#spec-preview').textContent = e.message; }
}

function clearErrors() {
  $$('#compose .field').forEach(f => { f.classList.remove('invalid'); $('.field-error', f).replaceChildren(); });
  $('#compose-result').textContent = '';
  $('#compose-result').className = '';
}

function showProblems(problems) {
  for (const p of problems) {
    let field = $(`#compose .field[data-field="${p.field}"]`);
    if (!field) field = $('#compose .field[data-field="spec"]');
    field.classList.add('invalid');
    $('.field-error', field).append(el('div', { text: p.message }));
  }
  $('#compose-result').textContent = problems.length + (problems.length === 1 ? ' problem' : ' problems') + ': see the fields marked in red';
  $('#compose-result').className = 'error-text';
}

async function submit(launch) {
  clearErrors();
  let spec;
  try { spec = buildSpec(); } catch (e) { showProblems([e]); return; }
  const r = await api('POST', launch ? 'runs' : 'check', JSON.stringify(spec), { 'Content-Type': 'application/json' });
  if (r.status === 422 && r.data.problems) { showProblems(r.data.problems); return; }
  if (!r.ok) { showProblems([{ field: 'spec', message: r.data.error || ('HTTP ' + r.status) }]); return; }
  if (!launch) { $('#compose-result').textContent = 'the spec composes: every part is installed and fits'; $('#compose-result').className = 'ok-text'; return; }
  state.selected = r.data.id;
  state.detailStamp = '';
  show('runs');
}

async function loadTemplate(name) {
  clearErrors();
  let spec = { name: 'dashboard', seed: 1, samplers: [], evaluators: [] };
  if (name) {
    const r = await api('GET', 'experiments/' + encodeURIComponent(name));
    if (!r.ok) { showProblems([{ field: 'spec', message: r.data.error }]); return; }
    spec = r.data;
  }
  $('#f-name').value = spec.name || name || 'dashboard';
  $('#f-seed').value = spec.seed === undefined ? 1 : spec.seed;
  for (const role of ['dataset', 'model', 'trainer']) {
    const box = $(`#compose > .parts > .part[data-role=${role}]`);
    fillSelect($('select', box), role, spec[role] ? spec[role].type : (role === 'trainer' ? '' : undefined), role === 'trainer');
    $('textarea', box).value = spec[role] && spec[role].config ? JSON.stringify(spec[role].config) : '';
  }
  $('#samplers').replaceChildren();
  $('#evaluators').replaceChildren();
  (spec.samplers || []).forEach(s => addPart('samplers', 'sampler', s));
  (spec.evaluators || []).forEach(s => addPart('evaluators', 'evaluator', s));
  preview();
}

async function initCompose() {
  await loadComponents();
  const r = await api('GET', 'experiments');
  if (r.ok) {
    for (const n of r.data.experiments) $('#f-template').append(el('option', { value: n, text: n }));
  }
  for (const role of ['dataset', 'model', 'trainer']) {
    fillSelect($(`#compose > .parts > .part[data-role=${role}] select`), role, undefined, role === 'trainer');
  }
  $('#f-template').addEventListener('change', e => loadTemplate(e.target.value));
  $('#add-sampler').addEventListener('click', () => { addPart('samplers', 'sampler'); preview(); });
  $('#add-evaluator').addEventListener('click', () => { addPart('evaluators', 'evaluator'); preview(); });
  $('#check').addEventListener('click', () => submit(false));
  $('#launch').addEventListener('click', () => submit(true));
  $('#compose').addEventListener('input', preview);
  $('#compose').addEventListener('submit', e => e.preventDefault());
  preview();
}

// ---------- components, bundles, plug-ins

async function loadComponents() {
  const r = await api('GET', 'components');
  if (!r.ok) { setStatus(r.data.error); return; }
  state.components = r.data.components;
  state.bundles = r.data.bundles;
  $('#components-table tbody').replaceChildren(...state.components.map(c => el('tr', {},
    el('td', { text: c.role }), el('td', { class: 'name', text: c.name }),
    el('td', {}, (c.provides || c.needs || []).map(x => el('span', { class: 'cap ' + (c.provides ? 'provides' : 'needs'), text: x }))),
    el('td', { class: 'id', text: c.bundle + ' ' + c.version }), el('td', { text: c.description }))));
  $('#bundles-table tbody').replaceChildren(...state.bundles.map(b => el('tr', {},
    el('td', { text: b.id }), el('td', { class: 'name', text: b.name }), el('td', { text: b.version }),
    el('td', {}, el('span', { class: 'state ' + b.state.split(' ')[0], text: b.state })),
    el('td', { text: b.plugin ? 'plug-in ' + b.file : 'feature' }),
    el('td', { text: b.components.join(', ') }), el('td', { class: 'id', text: b.services.join(', ') }))));
  const plugins = state.bundles.filter(b => b.plugin);
  $('#plugins-table tbody').replaceChildren(...plugins.map(b => {
    const remove = el('button', { type: 'button', class: 'small', text: 'remove' });
    remove.addEventListener('click', async () => {
      await api('DELETE', 'plugins/' + encodeURIComponent(b.file));
      setTimeout(loadComponents, 800);
    });
    return el('tr', { 'data-bundle': b.name }, el('td', { text: b.file }), el('td', { class: 'name', text: b.name }), el('td', { text: b.version }),
      el('td', {}, el('span', { class: 'state ' + b.state.split(' ')[0], text: b.state })), el('td', { text: b.components.join(', ') }), el('td', {}, remove));
  }));
  if (!plugins.length) $('#plugins-table tbody').append(el('tr', {}, el('td', { colspan: 6, class: 'hint', text: 'none yet' })));
}

async function upload() {
  const file = $('#plugin-file').files[0];
  const out = $('#plugin-result');
  if (!file) { out.replaceChildren(el('p', { class: 'error-text', text: 'choose a .jar file first' })); return; }
  out.replaceChildren(el('p', { class: 'hint', text: 'uploading ' + file.name + ' and waiting for it to start…' }));
  const r = await api('POST', 'plugins', file, { 'Content-Type': 'application/java-archive', 'X-File-Name': file.name });
  if (!r.ok) { out.replaceChildren(el('p', { class: 'error-text', text: r.data.error })); await loadComponents(); return; }
  out.replaceChildren(el('p', { class: 'ok-text', id: 'plugin-ok',
    text: r.data.bundle + ' ' + r.data.version + ' is ' + r.data.state + '; components: ' + ((r.data.components || []).join(', ') || 'none') }));
  await loadComponents();
  // The compose form's lists now offer the new components.
  for (const box of $$('#compose .part')) fillSelect($('select', box), box.dataset.role, $('select', box).value, box.dataset.role === 'trainer');
}

// ---------- start

document.addEventListener('DOMContentLoaded', async () => {
  $$('nav button').forEach(b => b.addEventListener('click', () => show(b.dataset.tab)));
  $('#compare-selected').addEventListener('click', compareTicked);
  $('#plugin-upload').addEventListener('click', upload);
  await initCompose();
  await refreshRuns();
  setInterval(() => {
    if (document.hidden) return;
    if (state.tab === 'runs') refreshRuns();
  }, 1000);
  document.body.dataset.ready = 'true';
});
