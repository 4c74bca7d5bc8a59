// Stockroom dashboard: plain browser JavaScript, no build step. Data comes from the same routes
// any client uses: GET /v1/items, /v1/events, /metrics and /health/ready with the API key in the
// Authorization header, and live changes from the SSE stream opened with a short-lived stream
// token (an EventSource cannot send headers, and a key never goes in a URL).
'use strict';

(() => {
  const KEY_STORAGE = 'stockroom.apiKey';
  const WINDOW_SECONDS = 120; // how much history the live charts show
  const ITEM_PAGES_MAX = 20; // 20 pages of 1,000 items: the table's bound
  const RECENT_EVENTS_MAX = 2000; // journal events read when an item's detail opens
  const DETAIL_EVENTS_SHOWN = 30;
  const DETAIL_POINTS_MAX = 5000;
  const EXPIRING_MILLIS = 60_000;
  const STREAM_TYPES = ['item-defined', 'stock-received', 'stock-adjusted', 'safety-stock-set',
    'stock-transferred', 'shortage-detected', 'hold-reserved', 'hold-confirmed', 'hold-released',
    'hold-expired', 'hold-extended', 'hold-fulfilled', 'stock-fulfilled', 'stock-restocked'];

  const $ = (id) => document.getElementById(id);
  const el = (tag, props, ...children) => {
    const node = Object.assign(document.createElement(tag), props || {});
    node.append(...children);
    return node;
  };
  const nowSeconds = () => Date.now() / 1000;
  const fmt = new Intl.NumberFormat('en');
  const fmtMillis = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

  const state = {
    key: null,
    role: null,
    sequence: 0, // the last event applied to the page
    items: new Map(), // sku -> {sku, name, category}
    rows: new Map(), // "sku\u0000location" -> row
    stream: null,
    holds: new Map(), // reservation id -> expiresAt (ms), active holds seen by this page
    detailSku: null,
    detail: null, // {sku, points: {t, onHand, reserved, committed}[], events: []}
    flash: null, // {sku, start: {t, left}[], samples: [[t, left]], taken: [[t, qty]], refusedAt}
    metrics: null, // the previous scrape, for rates
    series: { health: [], holds: new Map() },
  };

  // ---------------------------------------------------------------- HTTP

  class ProblemError extends Error {
    constructor(status, problem) {
      const shortages = (problem.shortages || [])
        .map((s) => `${s.sku} at ${s.location}: ${s.available} available, ${s.requested} asked`);
      super([problem.title || `HTTP ${status}`, problem.detail, ...shortages]
        .filter(Boolean).join(' — '));
      this.status = status;
    }
  }

  async function api(method, path, body) {
    const headers = { Authorization: `Bearer ${state.key}` };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    const type = response.headers.get('Content-Type') || '';
    const payload = type.includes('json') ? await response.json()
      : await response.text();
    if (!response.ok) {
      throw new ProblemError(response.status, typeof payload === 'object' ? payload : {});
    }
    return payload;
  }

  // ---------------------------------------------------------------- sign-in

  async function signIn(key) {
    state.key = key;
    const who = await api('GET', '/v1/whoami');
    sessionStorage.setItem(KEY_STORAGE, key);
    state.role = who.role;
    $('who').textContent = `key ${who.id} (${who.role})`;
    $('sign-out').hidden = false;
    $('sign-in').hidden = true;
    $('app').hidden = false;
    resizeCharts(); // drawn while hidden, at the smallest width
    if (who.role === 'admin') {
      $('admin').hidden = false;
    } else {
      $('admin').remove(); // readers never get the controls, not even hidden ones
    }
    await loadItems();
    await openStream();
    pollMetrics();
    setInterval(pollMetrics, 2000);
    setInterval(tick, 1000);
  }

  function setUpSignIn() {
    $('sign-in-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      $('sign-in-error').textContent = '';
      try {
        await signIn($('key').value.trim());
        $('key').value = '';
      } catch (error) {
        state.key = null;
        $('sign-in-error').textContent = error.status === 401
          ? 'That key is not valid (or was revoked).' : `Sign-in failed: ${error.message}`;
      }
    });
    $('sign-out').addEventListener('click', () => {
      sessionStorage.removeItem(KEY_STORAGE);
      location.reload();
    });
    const saved = sessionStorage.getItem(KEY_STORAGE);
    if (saved) {
      $('sign-in').hidden = true; // no flash of the form while the saved key is checked
      signIn(saved).catch(() => {
        sessionStorage.removeItem(KEY_STORAGE);
        $('sign-in').hidden = false;
      });
    }
  }

  // ---------------------------------------------------------------- stock table

  const rowKey = (sku, location) => `${sku}\u0000${location}`;

  async function loadItems() {
    let after = null;
    for (let page = 0; page < ITEM_PAGES_MAX; page++) {
      const query = after === null ? '' : `&after=${encodeURIComponent(after)}`;
      const answer = await api('GET', `/v1/items?limit=1000${query}`);
      state.sequence = Math.max(state.sequence, answer.sequence);
      for (const item of answer.items) {
        defineItem(item.sku, item.name, item.category);
        for (const level of item.levels) {
          setLevel(item.sku, level.location, level, false);
        }
      }
      after = answer.next;
      if (after === null || after === undefined) {
        break;
      }
    }
    applyFilters();
  }

  function defineItem(sku, name, category) {
    const known = state.items.get(sku);
    state.items.set(sku, { sku, name, category });
    if (!known) {
      $('sku-list').append(el('option', { value: sku }));
      addOption('f-category', category);
    }
    for (const row of state.rows.values()) {
      if (row.sku === sku) {
        row.cells.name.textContent = name;
        row.cells.category.textContent = category || '';
      }
    }
  }

  function addOption(selectId, value) {
    const select = $(selectId);
    if (!value || [...select.options].some((o) => o.value === value)) {
      return;
    }
    select.append(el('option', { value, textContent: value }));
  }

  const QUANTITIES = ['onHand', 'reserved', 'committed', 'available'];

  /** Shows {@code level} for (sku, location), flashing the cells that changed when live. */
  function setLevel(sku, location, level, live) {
    let row = state.rows.get(rowKey(sku, location));
    if (!row) {
      row = createRow(sku, location);
    }
    for (const field of QUANTITIES) {
      if (row.level[field] !== level[field]) {
        row.cells[field].textContent = fmt.format(level[field]);
        if (live) {
          flash(row.cells[field]);
        }
      }
    }
    row.level = { ...level, location };
    classify(row);
  }

  function flash(cell) {
    cell.classList.remove('changed');
    void cell.offsetWidth; // restart the animation
    cell.classList.add('changed');
  }

  function createRow(sku, location) {
    const item = state.items.get(sku) || { sku, name: '', category: '' };
    const open = el('button', { type: 'button', className: 'link', textContent: sku });
    open.dataset.sku = sku;
    open.addEventListener('click', () => {
      state.opener = open; // where the keyboard goes back to when the detail closes
      openDetail(sku).catch((error) => { $('detail-title').textContent = error.message; });
    });
    const cells = {
      sku: el('td', {}, open),
      name: el('td', { className: 'opt', textContent: item.name }),
      category: el('td', { className: 'opt', textContent: item.category || '' }),
      location: el('td', { textContent: location }),
      onHand: el('td', { className: 'num' }),
      reserved: el('td', { className: 'num opt' }),
      committed: el('td', { className: 'num opt' }),
      available: el('td', { className: 'num' }),
      state: el('td', { className: 'state' }),
    };
    for (const [field, cell] of Object.entries(cells)) {
      cell.dataset.field = field;
    }
    const tr = el('tr', {}, ...Object.values(cells));
    tr.dataset.sku = sku;
    tr.dataset.location = location;
    const row = { sku, location, tr, cells, level: {} };
    state.rows.set(rowKey(sku, location), row);
    addOption('f-location', location);
    // Keep the table sorted by SKU, then location, as the list route returns it: the initial
    // load arrives in order and appends; a row made later by the stream is slotted in.
    const body = $('stock-rows');
    const after = (other) => other.dataset.sku > sku
      || (other.dataset.sku === sku && other.dataset.location > location);
    let next = null;
    if (body.lastElementChild && after(body.lastElementChild)) {
      next = [...body.children].find(after);
    }
    body.insertBefore(tr, next);
    applyFilter(row);
    return row;
  }

  function lowThreshold() {
    const value = Number.parseInt($('f-low').value, 10);
    return Number.isFinite(value) && value >= 0 ? value : 0;
  }

  function classify(row) {
    const available = row.level.available;
    const out = available <= 0;
    const low = !out && available <= lowThreshold();
    row.tr.classList.toggle('out', out);
    row.tr.classList.toggle('low', low);
    row.cells.state.textContent = out ? 'Out of stock' : low ? 'Low' : 'OK';
    applyFilter(row);
  }

  function applyFilter(row) {
    const search = $('f-search').value.trim().toLowerCase();
    const category = $('f-category').value;
    const location = $('f-location').value;
    const item = state.items.get(row.sku) || {};
    const matches = (!search || row.sku.toLowerCase().includes(search)
        || (item.name || '').toLowerCase().includes(search))
      && (!category || item.category === category)
      && (!location || row.location === location)
      && (!$('f-only-low').checked || row.level.available <= lowThreshold());
    row.tr.hidden = !matches;
  }

  function applyFilters() {
    let shown = 0;
    for (const row of state.rows.values()) {
      classify(row);
      shown += row.tr.hidden ? 0 : 1;
    }
    $('stock-count').textContent = `${fmt.format(shown)} of ${fmt.format(state.rows.size)} rows`;
  }

  function setUpFilters() {
    $('filters').addEventListener('submit', (event) => event.preventDefault());
    for (const id of ['f-search', 'f-category', 'f-location', 'f-low', 'f-only-low']) {
      $(id).addEventListener('input', applyFilters);
      $(id).addEventListener('change', applyFilters); // selects and checkboxes, in every browser
    }
  }

  // ---------------------------------------------------------------- stream

  async function openStream() {
    const issued = await api('POST', '/v1/stream-tokens');
    const url = `/v1/stream?token=${encodeURIComponent(issued.token)}&after=${state.sequence}`;
    const source = new EventSource(url);
    state.stream = source;
    for (const type of STREAM_TYPES) {
      source.addEventListener(type, (message) => onEvent(JSON.parse(message.data)));
    }
    source.addEventListener('resync', (message) => {
      const resync = JSON.parse(message.data);
      if (resync.reload) {
        source.close();
        loadItems().then(openStream);
      }
    });
    source.addEventListener('open', () => showStream('live', true));
    source.addEventListener('error', () => {
      showStream('reconnecting', false);
      if (source.readyState === EventSource.CLOSED && state.stream === source) {
        // Most often an expired token on reconnect (or a restart, which ends every token): get
        // a fresh one and resume after the last event applied.
        reconnect(1000);
      }
    });
  }

  /** Opens the stream again after {@code delay} ms, backing off to 30 s while that fails. */
  function reconnect(delay) {
    setTimeout(() => openStream().catch(() => {
      showStream('offline', false);
      reconnect(Math.min(delay * 2, 30_000));
    }), delay);
  }

  function showStream(text, up) {
    const badge = $('stream-state');
    badge.hidden = false;
    badge.textContent = `stream ${text}`;
    badge.classList.toggle('up', up);
    badge.classList.toggle('down', !up);
  }

  /** Every level change an event carries. */
  function changesOf(event) {
    if (event.changes) {
      return event.changes;
    }
    return [event.change, event.from, event.to].filter(Boolean);
  }

  function onEvent(event) {
    if (event.sequence <= state.sequence) {
      return; // already applied (a replay overlapping the initial load)
    }
    state.sequence = event.sequence;
    if (event.type === 'item-defined') {
      defineItem(event.sku, event.name, event.category);
    }
    for (const change of changesOf(event)) {
      setLevel(change.sku, change.location, change.after, true);
    }
    trackHolds(event);
    if (state.detail && event.sequence > state.detail.loaded && touches(event, state.detail.sku)) {
      addDetailEvent(event);
    }
    if (state.flash) {
      flashEvent(event);
    }
  }

  // ---------------------------------------------------------------- reservations

  function trackHolds(event) {
    if (event.type === 'hold-reserved' || event.type === 'hold-extended') {
      state.holds.set(event.reservationId, event.expiresAt);
    } else if (event.type.startsWith('hold-')) {
      state.holds.delete(event.reservationId);
    }
    const counted = ['hold-confirmed', 'hold-released', 'hold-expired'];
    if (counted.includes(event.type)) {
      const second = Math.floor(Date.now() / 1000); // the browser's clock, as the chart's axis
      const bin = state.series.holds.get(second) || { confirmed: 0, released: 0, expired: 0 };
      bin[event.type.substring(5)] += 1;
      state.series.holds.set(second, bin);
    }
  }

  function renderReservations() {
    const now = Date.now();
    let expiring = 0;
    for (const [id, expiresAt] of state.holds) {
      if (expiresAt < now - 5000) {
        state.holds.delete(id); // missed its expiry event (e.g. across a reconnect)
      } else if (expiresAt - now <= EXPIRING_MILLIS) {
        expiring++;
      }
    }
    $('r-expiring').textContent = fmt.format(expiring);
    const last = Math.floor(now / 1000) - 1;
    const xs = [];
    const ys = [[], [], []];
    for (let second = last - WINDOW_SECONDS; second <= last; second++) {
      const bin = state.series.holds.get(second) || { confirmed: 0, released: 0, expired: 0 };
      xs.push(second);
      ys[0].push(bin.confirmed);
      ys[1].push(bin.released);
      ys[2].push(bin.expired);
    }
    for (const second of state.series.holds.keys()) {
      if (second < last - WINDOW_SECONDS) {
        state.series.holds.delete(second);
      }
    }
    charts.holds.setData([xs, ...ys]);
  }

  // ---------------------------------------------------------------- item detail

  function touches(event, sku) {
    return event.sku === sku || changesOf(event).some((c) => c.sku === sku)
      || (event.lines || []).some((l) => l.sku === sku);
  }

  async function openDetail(sku) {
    const section = $('detail');
    section.hidden = false;
    $('detail-title').textContent = `${sku} — ${(state.items.get(sku) || {}).name || ''}`;
    const item = await api('GET', `/v1/items/${encodeURIComponent(sku)}`);
    const after = Math.max(0, item.sequence - RECENT_EVENTS_MAX);
    const recent = await api('GET', `/v1/events?after=${after}&limit=${RECENT_EVENTS_MAX}`);
    const events = recent.events.filter((e) => touches(e, sku) && e.sequence <= item.sequence);
    // Levels before the window: the first change of a location tells its "before"; a location
    // the window never touches was as it is now all along.
    const levels = new Map(item.levels.map((l) => [l.location, l]));
    for (const event of events) {
      for (const change of changesOf(event).filter((c) => c.sku === sku)) {
        if (!levels.has(change.location) || !levels.get(change.location).seen) {
          levels.set(change.location, { ...change.before, seen: true });
        }
      }
    }
    state.detail = { sku, levels, points: [], events: [], loaded: item.sequence };
    point(state.detail, events.length ? events[0].time - 1000 : Date.now());
    for (const event of events) {
      addDetailEvent(event, true);
    }
    point(state.detail, Date.now());
    renderDetail();
    resizeCharts();
    section.scrollIntoView({ behavior: 'smooth', block: 'start' });
    $('detail-close').focus({ preventScroll: true });
  }

  function point(detail, time) {
    const totals = { onHand: 0, reserved: 0, committed: 0 };
    for (const level of detail.levels.values()) {
      for (const field of Object.keys(totals)) {
        totals[field] += level[field] || 0;
      }
    }
    detail.points.push({ t: time / 1000, ...totals });
    if (detail.points.length > DETAIL_POINTS_MAX) {
      detail.points.splice(0, detail.points.length - DETAIL_POINTS_MAX);
    }
  }

  function addDetailEvent(event, loading) {
    const detail = state.detail;
    for (const change of changesOf(event).filter((c) => c.sku === detail.sku)) {
      detail.levels.set(change.location, { ...change.after, location: change.location });
    }
    point(detail, event.time);
    detail.events.unshift(event);
    detail.events.length = Math.min(detail.events.length, DETAIL_EVENTS_SHOWN);
    if (!loading) {
      renderDetail();
    }
  }

  function describe(event) {
    const parts = [event.type];
    if (event.quantity !== undefined) {
      parts.push(`${event.quantity} units`);
    }
    if (event.reservationId) {
      parts.push(`reservation ${event.reservationId}`);
    }
    if (event.reason) {
      parts.push(`“${event.reason}”`);
    }
    return parts.join(', ');
  }

  function renderDetail() {
    const detail = state.detail;
    const rows = [...state.rows.values()].filter((r) => r.sku === detail.sku).map((r) => el('tr',
      {}, el('td', { textContent: r.location }),
      ...['onHand', 'reserved', 'committed', 'safetyStock', 'available'].map((f) => el('td',
        { className: 'num', textContent: fmt.format(r.level[f] || 0) }))));
    $('detail-levels').replaceChildren(...rows);
    $('detail-events').replaceChildren(...detail.events.map((e) => el('li', {},
      el('span', { className: 'seq', textContent: `#${e.sequence} ` }),
      `${new Date(e.time).toLocaleTimeString()} ${describe(e)}`)));
    const p = detail.points;
    charts.detail.setData([p.map((x) => x.t), p.map((x) => x.onHand), p.map((x) => x.reserved),
      p.map((x) => x.committed)]);
  }

  function setUpDetail() {
    $('detail-close').addEventListener('click', () => {
      state.detail = null;
      $('detail').hidden = true;
      if (state.opener && state.opener.isConnected) {
        state.opener.focus();
      }
    });
  }

  // ---------------------------------------------------------------- flash-sale monitor

  function unitsLeft(sku) {
    let left = 0;
    for (const row of state.rows.values()) {
      if (row.sku === sku) {
        left += Math.max(0, row.level.available || 0);
      }
    }
    return left;
  }

  function setUpFlash() {
    $('flash-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const sku = $('flash-sku').value.trim();
      if (!state.items.has(sku)) {
        $('flash-left').textContent = 'unknown SKU';
        return;
      }
      const left = unitsLeft(sku);
      const refusedBase = state.metrics ? state.metrics.refused : null;
      state.flash = { sku, left, samples: [[nowSeconds(), left]], taken: [], refusedBase };
      $('flash-left').textContent = fmt.format(left);
      renderFlash();
    });
  }

  function flashEvent(event) {
    const flash = state.flash;
    const mine = changesOf(event).filter((c) => c.sku === flash.sku);
    if (!mine.length) {
      return;
    }
    const left = unitsLeft(flash.sku);
    if (event.type === 'hold-reserved' || event.type === 'stock-fulfilled') {
      const taken = mine.reduce((sum, c) => sum + c.before.available - c.after.available, 0);
      flash.taken.push([nowSeconds(), taken]);
    }
    flash.left = left;
    flash.samples.push([nowSeconds(), left]);
    $('flash-left').textContent = fmt.format(left); // every change, so it drains visibly
  }

  function renderFlash() {
    const flash = state.flash;
    if (!flash) {
      return;
    }
    const now = nowSeconds();
    flash.samples = flash.samples.filter(([t]) => t >= now - WINDOW_SECONDS);
    flash.taken = flash.taken.filter(([t]) => t >= now - 10);
    const since = flash.samples.length ? Math.min(10, Math.max(1, now - flash.samples[0][0])) : 10;
    const rate = flash.taken.reduce((sum, [, n]) => sum + n, 0) / since;
    $('flash-rate').textContent = rate.toFixed(1);
    $('flash-eta').textContent = flash.left === 0 ? 'sold out'
      : rate > 0 ? duration(flash.left / rate) : '–';
    const xs = flash.samples.map(([t]) => t).concat([now]);
    const ys = flash.samples.map(([, n]) => n).concat([flash.left]);
    charts.flash.setData([xs, ys]);
  }

  function duration(seconds) {
    const s = Math.ceil(seconds);
    return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
  }

  // ---------------------------------------------------------------- service health

  /** Prometheus text format: one sample per line, "name{labels} value". */
  function parseMetrics(text) {
    const samples = [];
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)(\{.*\})?\s+(\S+)/.exec(line);
      if (!match || line.startsWith('#')) {
        continue;
      }
      const labels = {};
      for (const pair of (match[2] || '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[pair[1]] = pair[2];
      }
      samples.push({ name: match[1], labels, value: Number(match[3].replace('Inf', 'Infinity')) });
    }
    return samples;
  }

  const sum = (samples, name, keep = () => true) => samples
    .filter((s) => s.name === name && keep(s.labels)).reduce((total, s) => total + s.value, 0);

  /**
   * Requests, not streams: a stream is timed when it ends, after minutes or hours, which would
   * say nothing about how fast requests are answered.
   */
  const answered = (labels) => !labels.route || !labels.route.startsWith('/v1/stream');

  /** Cumulative bucket counts of a histogram, summed over its series: le -> count. */
  function buckets(samples, name) {
    const byLe = new Map();
    for (const s of samples.filter((x) => x.name === name && answered(x.labels))) {
      const le = Number(s.labels.le.replace('Inf', 'Infinity'));
      byLe.set(le, (byLe.get(le) || 0) + s.value);
    }
    return byLe;
  }

  /** The upper bound of the bucket holding quantile q of what happened between two scrapes. */
  function quantile(before, after, q) {
    const les = [...after.keys()].sort((a, b) => a - b);
    const total = (after.get(Infinity) || 0) - (before.get(Infinity) || 0);
    if (total <= 0) {
      return null;
    }
    for (const le of les) {
      if ((after.get(le) || 0) - (before.get(le) || 0) >= q * total) {
        return le;
      }
    }
    return null;
  }

  function scrape(samples) {
    return {
      t: nowSeconds(),
      requests: sum(samples, 'stockroom_http_requests_seconds_count', answered),
      latency: buckets(samples, 'stockroom_http_requests_seconds_bucket'),
      batchCount: sum(samples, 'stockroom_batch_commands_count'),
      batchSum: sum(samples, 'stockroom_batch_commands_sum'),
      commitCount: sum(samples, 'stockroom_journal_commit_seconds_count'),
      commitSum: sum(samples, 'stockroom_journal_commit_seconds_sum'),
      refused: sum(samples, 'stockroom_http_requests_seconds_count', (l) => l.method === 'POST'
        && l.route === '/v1/reservations' && (l.status === '409' || l.status === '429')),
      queue: sum(samples, 'stockroom_queue_depth'),
      subscribers: sum(samples, 'stockroom_stream_subscribers'),
      active: sum(samples, 'stockroom_reservations_active'),
    };
  }

  const millis = (seconds) => (seconds === null ? '–' : seconds === Infinity ? '> max'
    : seconds < 0.001 ? `${(seconds * 1000).toFixed(2)} ms` : `${fmtMillis.format(seconds * 1000)} ms`);

  async function pollMetrics() {
    pollReady();
    let now;
    try {
      now = scrape(parseMetrics(await api('GET', '/metrics')));
    } catch (error) {
      $('m-rps').textContent = 'n/a';
      return;
    }
    $('m-queue').textContent = fmt.format(now.queue);
    $('m-subscribers').textContent = fmt.format(now.subscribers);
    $('r-active').textContent = fmt.format(now.active);
    const before = state.metrics;
    state.metrics = now;
    if (state.flash) {
      if (state.flash.refusedBase === null) {
        state.flash.refusedBase = now.refused;
      }
      $('flash-rejected').textContent = fmt.format(now.refused - state.flash.refusedBase);
    }
    if (!before) {
      return;
    }
    const seconds = now.t - before.t;
    const rps = (now.requests - before.requests) / seconds;
    const p99 = quantile(before.latency, now.latency, 0.99);
    const batches = now.batchCount - before.batchCount;
    $('m-rps').textContent = rps.toFixed(1);
    $('m-p99').textContent = millis(p99);
    $('m-batch').textContent = batches > 0
      ? ((now.batchSum - before.batchSum) / batches).toFixed(1) : 'idle';
    const commits = now.commitCount - before.commitCount;
    $('m-fsync').textContent = commits > 0 ? millis((now.commitSum - before.commitSum) / commits)
      : 'idle';
    const health = state.series.health;
    health.push([now.t, rps, p99 === null || p99 === Infinity ? null : p99 * 1000]);
    while (health.length && health[0][0] < now.t - WINDOW_SECONDS) {
      health.shift();
    }
    charts.health.setData([health.map((h) => h[0]), health.map((h) => h[1]),
      health.map((h) => h[2])]);
  }

  async function pollReady() {
    const badge = $('ready');
    try {
      const response = await fetch('/health/ready', { cache: 'no-store' });
      const body = await response.json();
      const up = response.ok && body.status === 'UP';
      badge.textContent = up ? 'ready' : `not ready${body.reason ? `: ${body.reason}` : ''}`;
      badge.classList.toggle('up', up);
      badge.classList.toggle('down', !up);
    } catch (error) {
      badge.textContent = 'unreachable';
      badge.classList.add('down');
      badge.classList.remove('up');
    }
  }

  // ---------------------------------------------------------------- admin actions

  const ACTIONS = {
    define: (f) => ({
      question: `Create item ${f.sku} “${f.name}”${f.category ? ` in ${f.category}` : ''}?`,
      method: 'PUT', path: `/v1/items/${encodeURIComponent(f.sku)}`,
      body: { name: f.name, ...(f.category ? { category: f.category } : {}) },
      done: (a) => `Item ${f.sku} saved (event #${a.sequence}).`,
    }),
    receive: (f) => ({
      question: `Receive ${f.quantity} units of ${f.sku} at ${f.location || 'default'}?`,
      method: 'POST', path: `/v1/items/${encodeURIComponent(f.sku)}/receive`,
      body: { quantity: Number(f.quantity), ...(f.location ? { location: f.location } : {}),
        ...(f.reason ? { reason: f.reason } : {}) },
      done: (a) => `Received ${f.quantity} × ${f.sku}: on hand now ${onHandOf(a)}.`,
    }),
    adjust: (f) => ({
      question: `Set on hand of ${f.sku} at ${f.location || 'default'} to ${f.onHand} (${f.reason})?`,
      method: 'POST', path: `/v1/items/${encodeURIComponent(f.sku)}/adjust`,
      body: { onHand: Number(f.onHand), reason: f.reason,
        ...(f.location ? { location: f.location } : {}) },
      done: (a) => `Adjusted ${f.sku}: on hand now ${onHandOf(a)}${a.shortage
        ? ' — a shortage: more is reserved or sold than counted' : ''}.`,
    }),
  };

  const onHandOf = (answer) => answer.levels.map((l) => `${fmt.format(l.onHand)} at ${l.location}`)
    .join(', ');

  function confirmDialog(question) {
    const dialog = $('confirm');
    $('confirm-text').textContent = question;
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.returnValue = '';
      dialog.showModal();
    });
  }

  function setUpAdmin() {
    for (const form of document.querySelectorAll('.admin-form')) {
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const fields = Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, v.trim()]));
        const action = ACTIONS[form.dataset.action](fields);
        $('admin-result').textContent = '';
        $('admin-error').textContent = '';
        if (!(await confirmDialog(action.question))) {
          return;
        }
        try {
          const answer = await api(action.method, action.path, action.body);
          $('admin-result').textContent = action.done(answer);
        } catch (error) {
          $('admin-error').textContent = error.message;
        }
      });
    }
  }

  // ---------------------------------------------------------------- charts and clock

  const charts = {};

  function chart(id, series, scales, live = true) {
    const host = $(id);
    const options = {
      width: Math.max(280, host.clientWidth),
      height: 200,
      legend: { live: false },
      // Live charts show the last WINDOW_SECONDS, whatever the data covers.
      scales: { x: { time: true, ...(live ? { range: () => [nowSeconds() - WINDOW_SECONDS,
        nowSeconds()] } : {}) }, ...(scales || {}) },
      series: [{}, ...series],
      axes: [{}, { scale: series[0].scale || 'y' }].concat(series.length > 1 && series[1].scale
        ? [{ scale: series[1].scale, side: 1, grid: { show: false } }] : []),
    };
    const made = new uPlot(options, [[], ...series.map(() => [])], host);
    charts.all = (charts.all || []).concat([[made, host]]);
    return made;
  }

  function setUpCharts() {
    charts.health = chart('health-chart', [
      { label: 'requests/s', stroke: '#0b5394', width: 2, scale: 'rps' },
      { label: 'p99 ms', stroke: '#b3261e', width: 2, scale: 'ms' }]);
    charts.holds = chart('reservations-chart', [
      { label: 'confirmed/s', stroke: '#145a2c', width: 2 },
      { label: 'released/s', stroke: '#0b5394', width: 2 },
      { label: 'expired/s', stroke: '#b3261e', width: 2 }]);
    charts.flash = chart('flash-chart', [
      { label: 'units left', stroke: '#b3261e', width: 2, fill: 'rgba(179,38,30,0.12)' }],
    { y: { range: (u, min, max) => [0, Math.max(1, max)] } });
    charts.detail = chart('detail-chart', [
      { label: 'on hand', stroke: '#0b5394', width: 2 },
      { label: 'reserved', stroke: '#a15c00', width: 2 },
      { label: 'committed', stroke: '#145a2c', width: 2 }],
    { x: { time: true, range: (u, min, max) => [Math.min(min, max - 60), max] } }, false);
    window.addEventListener('resize', resizeCharts);
  }

  function resizeCharts() {
    for (const [made, host] of charts.all) {
      made.setSize({ width: Math.max(280, host.clientWidth), height: 200 });
    }
  }

  function tick() {
    renderReservations();
    renderFlash();
    if (state.detail) {
      point(state.detail, Date.now());
      renderDetail();
    }
  }

  function start() {
    // A page left for another (or kept in the back/forward cache) must not hold its stream:
    // it would take one of the browser's six connections to this host and a server subscriber.
    window.addEventListener('pagehide', () => {
      if (state.stream) {
        state.stream.close();
        state.stream = null;
      }
    });
    window.addEventListener('pageshow', (event) => {
      if (event.persisted) {
        location.reload(); // back from the cache: start over with fresh data and a stream
      }
    });
    setUpCharts();
    setUpFilters();
    setUpDetail();
    setUpFlash();
    setUpAdmin();
    setUpSignIn();
    pollReady();
  }

  start();
})();
