// The Orion console: renders what the API answers for the signed-in session and nothing else.
// Sign-in is POST /api/login, whose HttpOnly session cookie signs every later call; this script
// never sees or keeps a token. Every change arrives on GET /api/events and refreshes the lists
// it touches. Text goes into the page with textContent only, never as HTML.

const $ = (id) => document.getElementById(id);
const state = { pools: [], nodes: [], rentals: [], jobs: [], scheduled: [], schedules: [], job: null };
let events = null;
let signedIn = false;

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 401 && path !== '/api/login') {
    signedOut();
    throw new ApiError(401, 'signed out');
  }
  const type = res.headers.get('Content-Type') || '';
  const data = res.status === 204 ? null
    : type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const detail = data && typeof data === 'object' ? (data.detail || data.title) : String(data);
    throw new ApiError(res.status, detail || res.statusText);
  }
  return data;
}

// ---- small DOM helpers -------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function td(value, cls) {
  return el('td', cls ? { class: cls } : {}, value === null || value === undefined || value === '' ? '—' : value);
}

function fill(tbody, rows) {
  const f = document.createDocumentFragment();
  for (const r of rows) f.append(r);
  tbody.replaceChildren(f);
}

/** An ISO instant as "2026-12-03 08:15 UTC". */
function when(iso) {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}

/** A local ISO date-time with offset, as "2026-12-03 09:15 (+01:00)". */
function local(iso) {
  if (!iso) return '—';
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  return m ? `${m[1]} ${m[2]} (${m[3] === 'Z' ? '+00:00' : m[3]})` : iso;
}

function say(text, isError) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', !!isError);
}

function badge(text, kind) {
  return el('span', { class: `badge ${kind || text}` }, text);
}

// ---- sign in and out ---------------------------------------------------------------------

function signedOut() {
  signedIn = false;
  if (events) {
    events.close();
    events = null;
  }
  sessionStorage.removeItem('orion.user');
  $('nav').hidden = true;
  $('who').hidden = true;
  for (const v of document.querySelectorAll('.view')) v.hidden = true;
  $('sign-in').hidden = false;
  document.body.dataset.view = 'sign-in';
}

async function signIn(ev) {
  ev.preventDefault();
  $('sign-in-error').textContent = '';
  const username = $('username').value.trim();
  try {
    await api('POST', '/api/login', { username, password: $('password').value });
  } catch (e) {
    $('sign-in-error').textContent = e.status === 401 ? 'Wrong user name or password.' : e.message;
    return;
  }
  $('password').value = '';
  sessionStorage.setItem('orion.user', username);
  await start();
}

async function signOut() {
  try {
    await api('POST', '/api/logout');
  } catch (e) {
    // Signed out either way.
  }
  signedOut();
}

// ---- loading -----------------------------------------------------------------------------

const loaders = {
  pools: async () => {
    [state.pools, state.schedules] = await Promise.all([api('GET', '/api/pools'), api('GET', '/api/schedules')]);
    renderPools();
    renderScheduleList();
    renderPoolChoices();
  },
  nodes: async () => {
    state.nodes = await api('GET', '/api/nodes');
    renderWorkers();
  },
  rentals: async () => {
    state.rentals = await api('GET', '/api/rentals');
    renderLeases();
  },
  jobs: async () => {
    state.jobs = await api('GET', '/api/jobs');
    renderJobs();
    if (state.job) await showJob(state.job.job_id, false);
  },
  scheduled: async () => {
    state.scheduled = await api('GET', '/api/scheduled');
    renderCron();
  },
};

async function load(...names) {
  await Promise.all(names.map(async (n) => {
    try {
      await loaders[n]();
    } catch (e) {
      if (e.status !== 401) say(`Could not load ${n}: ${e.message}`, true);
    }
  }));
}

// Events arrive in bursts (a rent of ten workers is ten lease and ten node events): refresh
// each list at most once per burst.
const pending = new Set();
let timer = null;
function refresh(...names) {
  for (const n of names) pending.add(n);
  if (timer) return;
  timer = setTimeout(async () => {
    const names = [...pending];
    pending.clear();
    timer = null;
    await load(...names);
  }, 100);
}

const touches = {
  lease: ['rentals', 'nodes', 'pools'],
  node: ['nodes', 'pools'],
  load: ['nodes'],
  pool: ['pools', 'nodes'],
  job: ['jobs', 'nodes'],
  schedule: ['scheduled', 'pools'],
};

function listen() {
  if (events) events.close();
  // The browser resumes with Last-Event-ID by itself after a dropped connection.
  events = new EventSource('/api/events');
  events.onopen = () => {
    $('live').textContent = 'live';
    $('live').classList.add('on');
    // What changed while the stream was down is read again.
    refresh('pools', 'nodes', 'rentals', 'jobs', 'scheduled');
  };
  events.onerror = () => {
    $('live').textContent = 'reconnecting…';
    $('live').classList.remove('on');
  };
  for (const [kind, lists] of Object.entries(touches)) {
    events.addEventListener(kind, () => refresh(...lists));
  }
}

async function start() {
  signedIn = true;
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('who').hidden = false;
  $('who-name').textContent = sessionStorage.getItem('orion.user') || '';
  route();
  await load('pools', 'nodes', 'rentals', 'jobs', 'scheduled');
  if (signedIn) listen();
}

// ---- overview: pools and workers ---------------------------------------------------------

function scheduleOf(pool) {
  return state.schedules.find((s) => s.pool === pool);
}

function scheduleText(s) {
  if (!s) return '—';
  if (s.status !== 'SCHEDULED') return 'not scheduled';
  if (s.uptime) return `${s.uptime} (${s.timezone})`;
  return `wake ${s.cron_start}, sleep ${s.cron_stop} (${s.timezone})`;
}

function renderPools() {
  fill($('pools').tBodies[0], state.pools.map((p) => {
    const counts = Object.entries(p.nodes || {}).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
    const next = p.next_transition ? `${p.next_transition.action} at ${local(p.next_transition.at_local)}` : '—';
    const name = el('th', { scope: 'row' }, p.pool);
    if (p.protected) name.append(' ', badge('protected', 'protected'));
    const minutes = el('input', { type: 'number', min: '1', max: '10080', value: '60', class: 'minutes',
      id: `minutes-${p.pool}`, 'aria-label': `Minutes to keep pool ${p.pool} awake or asleep` });
    const actions = el('td', { class: 'actions' }, minutes,
      el('button', { type: 'button', 'aria-label': `Wake pool ${p.pool}`, 'data-pool': p.pool,
        onclick: () => override(p.pool, 'wake', minutes.value) }, 'Wake'),
      el('button', { type: 'button', class: 'secondary', 'aria-label': `Sleep pool ${p.pool}`, 'data-pool': p.pool,
        disabled: p.protected ? true : undefined, onclick: () => override(p.pool, 'sleep', minutes.value) }, 'Sleep'));
    return el('tr', { 'data-pool': p.pool }, name, el('td', {}, badge(p.desired)),
      td(scheduleText(scheduleOf(p.pool))), td(next), td(counts), actions);
  }));
}

async function override(pool, action, minutes) {
  try {
    await api('POST', `/api/pools/${encodeURIComponent(pool)}/${action}`, { for_minutes: Number(minutes) });
    say(`Pool ${pool}: ${action} for ${minutes} minutes requested.`);
    refresh('pools');
  } catch (e) {
    say(`Pool ${pool}: ${e.message}`, true);
  }
}

function renderPoolChoices() {
  const filter = $('pool-filter');
  const chosen = filter.value;
  const names = [...new Set([...state.pools.map((p) => p.pool), ...state.nodes.map((n) => n.pool)])].sort();
  filter.replaceChildren(el('option', { value: '' }, 'All pools'),
    ...names.map((n) => el('option', { value: n }, n)));
  filter.value = names.includes(chosen) ? chosen : '';

  const sched = $('sched-pool');
  const picked = sched.value;
  const open = state.pools.filter((p) => !p.protected).map((p) => p.pool);
  sched.replaceChildren(...open.map((n) => el('option', { value: n }, n)));
  if (open.includes(picked)) sched.value = picked;
  showCurrentSchedule();
}

let firstWorkers = true;
function renderWorkers() {
  const pool = $('pool-filter').value;
  const shown = pool ? state.nodes.filter((n) => n.pool === pool) : state.nodes;
  fill($('workers').tBodies[0], shown.map((n) => {
    const lease = n.lease;
    const leased = n.allocated ? (lease ? `yes (${lease.kind === 'job' ? `job ${lease.job_id}` : `lease ${lease.rental_id}`})` : 'yes') : 'no';
    return el('tr', { 'data-node-id': n.node_id },
      el('th', { scope: 'row' }, n.node_id), td(n.hostname), td(n.pool), el('td', {}, badge(n.status)),
      td(n.load ? n.load.class : null), td(leased), td(lease ? when(lease.leased_until) : null));
  }));
  $('workers-count').textContent = `(${shown.length}${pool ? ` of ${state.nodes.length}` : ''})`;
  if (firstWorkers) {
    firstWorkers = false;
    // Read by bench/console.sh: when the worker list was first on screen.
    performance.mark('orion-workers-shown');
  }
}

// ---- leases ------------------------------------------------------------------------------

function renderLeases() {
  fill($('lease-table').tBodies[0], state.rentals.map((r) => {
    const hours = el('input', { type: 'number', min: '0.25', step: '0.25', value: '1', class: 'minutes',
      id: `extend-hours-${r.rental_id}`, 'aria-label': `Hours to extend lease ${r.rental_id} by` });
    return el('tr', { 'data-rental-id': r.rental_id },
      el('th', { scope: 'row' }, r.rental_id), td(r.username), td(r.hostname), td(`${r.host_ip}:${r.ssh_port}`),
      td(r.client_user), el('td', {}, badge(r.status)), td(when(r.leased_until)),
      el('td', { class: 'actions' }, hours,
        el('button', { type: 'button', class: 'extend', 'aria-label': `Extend lease ${r.rental_id}`,
          onclick: () => extend(r.rental_id, hours.value) }, 'Extend'),
        el('button', { type: 'button', class: 'release danger', 'aria-label': `Release lease ${r.rental_id}`,
          onclick: (ev) => release(r.rental_id, ev.target) }, 'Release')));
  }));
  $('no-leases').hidden = state.rentals.length > 0;
}

async function extend(id, hours) {
  try {
    const r = await api('POST', `/api/extend/${id}`, { additional_hours: Number(hours) });
    say(`Lease ${id} now ends ${when(r.new_end_at)}.`);
    refresh('rentals', 'nodes');
  } catch (e) {
    say(`Lease ${id}: ${e.message}`, true);
  }
}

async function release(id, button) {
  button.disabled = true;
  try {
    await api('POST', `/api/release/${id}`);
    say(`Lease ${id} released.`);
    refresh('rentals', 'nodes', 'pools');
  } catch (e) {
    button.disabled = false;
    say(`Lease ${id}: ${e.message}`, true);
  }
}

// ---- jobs and cron jobs ------------------------------------------------------------------

function renderJobs() {
  fill($('job-table').tBodies[0], state.jobs.map((j) => el('tr', { 'data-job-id': j.job_id },
    el('th', { scope: 'row' }, j.job_id), td(j.name), td(j.pool), el('td', {}, badge(j.status)), td(j.reason),
    td(when(j.created_at)),
    el('td', {}, el('button', { type: 'button', class: 'secondary', 'aria-label': `Show job ${j.job_id}`,
      onclick: () => showJob(j.job_id, true) }, 'Show')))));
}

async function showJob(id, withLog) {
  let j;
  try {
    j = await api('GET', `/api/jobs/${id}`);
  } catch (e) {
    say(`Job ${id}: ${e.message}`, true);
    return;
  }
  state.job = j;
  $('job-detail').hidden = false;
  $('job-detail-title').textContent = `Job ${j.job_id}${j.name ? ` (${j.name})` : ''}: ${j.status}${j.reason ? `, ${j.reason}` : ''}`;
  fill($('attempt-table').tBodies[0], j.attempts.map((a) => el('tr', {},
    el('th', { scope: 'row' }, a.attempt), td(a.node_id), td(when(a.started_at)), td(when(a.ended_at)),
    td(a.exit_code), td(a.reason),
    el('td', {}, el('button', { type: 'button', class: 'secondary', 'aria-label': `Log of attempt ${a.attempt}`,
      onclick: () => showLog(j.job_id, a.attempt) }, `Log (${a.log_bytes} bytes)`)))));
  if (withLog) {
    if (j.attempts.length) await showLog(j.job_id, j.attempts[j.attempts.length - 1].attempt);
    else $('job-log').textContent = 'No attempt yet.';
  }
}

async function showLog(id, attempt) {
  try {
    const text = await api('GET', `/api/jobs/${id}/logs?attempt=${attempt}`);
    $('log-title').textContent = `Log of attempt ${attempt}`;
    $('job-log').textContent = text || '(empty)';
  } catch (e) {
    $('job-log').textContent = e.message;
  }
}

function renderCron() {
  fill($('cron-table').tBodies[0], state.scheduled.map((c) => el('tr', { 'data-scheduled-id': c.scheduled_id },
    el('th', { scope: 'row' }, c.scheduled_id), td(c.name), td(c.pool), el('td', { class: 'mono' }, c.cron),
    td(c.timezone), td(c.suspend ? 'yes' : 'no'), td(when(c.last_scheduled_at)),
    td(c.next_runs && c.next_runs.length ? local(c.next_runs[0].at_local) : null))));
}

// ---- schedule editor ---------------------------------------------------------------------

function renderScheduleList() {
  fill($('schedule-table').tBodies[0], state.schedules.map((s) => el('tr', { 'data-pool': s.pool },
    el('th', { scope: 'row' }, s.pool), td(s.status), el('td', { class: 'mono' }, s.cron_start || '—'),
    el('td', { class: 'mono' }, s.cron_stop || '—'), td(s.uptime), td(s.timezone),
    td(s.next_transitions.length ? `${s.next_transitions[0].action} at ${local(s.next_transitions[0].at_local)}` : null))));
}

function kind() {
  return $('kind-hours').checked ? 'hours' : 'cron';
}

function showKind() {
  $('cron-fields').hidden = kind() !== 'cron';
  $('hours-fields').hidden = kind() !== 'hours';
}

function scheduleBody() {
  const body = { pool: $('sched-pool').value, timezone: $('timezone').value.trim() || 'UTC' };
  if (kind() === 'cron') {
    body.cron_start = $('cron-start').value;
    body.cron_stop = $('cron-stop').value;
  } else {
    body.uptime = $('uptime').value;
    body.holidays = $('holidays').value.split(',').map((d) => d.trim()).filter((d) => d);
  }
  return body;
}

/** Fills the editor with the chosen pool's saved schedule. */
function showCurrentSchedule() {
  const s = scheduleOf($('sched-pool').value);
  $('sched-current').textContent = s ? `Saved: ${scheduleText(s)}` : 'No schedule yet.';
  $('sched-remove').disabled = !s || s.status !== 'SCHEDULED';
}

function loadScheduleIntoForm() {
  const s = scheduleOf($('sched-pool').value);
  showCurrentSchedule();
  if (!s) return;
  $('kind-hours').checked = !!s.uptime;
  $('kind-cron').checked = !s.uptime;
  $('cron-start').value = s.cron_start || '';
  $('cron-stop').value = s.cron_stop || '';
  $('uptime').value = s.uptime || '';
  $('holidays').value = (s.holidays || []).join(', ');
  $('timezone').value = s.timezone;
  showKind();
  preview();
}

function showTransitions(zone, transitions) {
  $('next-zone').textContent = zone ? `(${zone})` : '';
  fill($('next-transitions'), transitions.map((t) => el('li', {},
    el('span', { class: `badge ${t.action}` }, t.action), ` ${local(t.at_local)}`)));
}

let previewSeq = 0;
let previewTimer = null;
function previewSoon() {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(preview, 250);
}

async function preview() {
  const seq = ++previewSeq;
  const body = scheduleBody();
  if (!body.pool) return;
  try {
    const p = await api('POST', '/api/schedules/preview', body);
    if (seq !== previewSeq) return;
    $('sched-error').textContent = '';
    if ($('status').classList.contains('error')) say('');
    $('schedule-form').dataset.valid = 'true';
    showTransitions(p.timezone, p.next_transitions);
  } catch (e) {
    if (seq !== previewSeq) return;
    $('schedule-form').dataset.valid = 'false';
    $('sched-error').textContent = e.message;
    showTransitions('', []);
  }
}

async function saveSchedule(ev) {
  ev.preventDefault();
  const body = scheduleBody();
  const existing = scheduleOf(body.pool);
  try {
    const saved = existing
      ? await api('PUT', `/api/schedules/${existing.id}`, { ...body, name: existing.name })
      : await api('POST', '/api/schedules', body);
    $('sched-error').textContent = '';
    showTransitions(saved.timezone, saved.next_transitions);
    say(`Schedule of pool ${saved.pool} saved.`);
    await load('pools');
  } catch (e) {
    $('sched-error').textContent = e.message;
    say(`Not saved: ${e.message}`, true);
  }
}

async function removeCrons() {
  const s = scheduleOf($('sched-pool').value);
  if (!s) return;
  try {
    await api('PUT', `/api/schedules/${s.id}/remove-crons`);
    say(`Crons of pool ${s.pool} removed.`);
    await load('pools');
  } catch (e) {
    say(`Pool ${s.pool}: ${e.message}`, true);
  }
}

// ---- views -------------------------------------------------------------------------------

const views = ['overview', 'leases', 'jobs', 'schedules'];
function route() {
  if (!signedIn) return;
  const name = views.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'overview';
  for (const v of views) $(v).hidden = v !== name;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('href') === `#${name}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.body.dataset.view = name;
  if (name === 'schedules') loadScheduleIntoForm();
}

function init() {
  $('sign-in-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  $('pool-filter').addEventListener('change', renderWorkers);
  $('sched-pool').addEventListener('change', loadScheduleIntoForm);
  for (const id of ['cron-start', 'cron-stop', 'uptime', 'holidays', 'timezone']) {
    $(id).addEventListener('input', previewSoon);
  }
  for (const id of ['kind-cron', 'kind-hours']) {
    $(id).addEventListener('change', () => {
      showKind();
      preview();
    });
  }
  for (const b of document.querySelectorAll('.example')) {
    b.addEventListener('click', () => {
      const hours = !!b.dataset.uptime;
      $('kind-hours').checked = hours;
      $('kind-cron').checked = !hours;
      if (hours) $('uptime').value = b.dataset.uptime;
      else {
        $('cron-start').value = b.dataset.start;
        $('cron-stop').value = b.dataset.stop;
      }
      showKind();
      preview();
    });
  }
  $('schedule-form').addEventListener('submit', saveSchedule);
  $('sched-remove').addEventListener('click', removeCrons);
  window.addEventListener('hashchange', route);
  // Signed in already (the session cookie is HttpOnly, so ask the API)?
  api('GET', '/api/rentals').then(() => start(), () => signedOut());
}

init();
