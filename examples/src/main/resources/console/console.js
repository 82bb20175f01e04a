// The queue console of camel-smtp: reads the admin JSON endpoints with the admin token and draws them. No framework,
// no build step. Every value from the server goes into the page as text (textContent), never as HTML: senders,
// recipients and replies come from strangers on the Internet.
'use strict';
(function () {
  const TOKEN_KEY = 'camel-smtp-admin-token';
  const REFRESH_MS = 5000;
  const MAX_EVENTS = 100;
  const SVG = 'http://www.w3.org/2000/svg';
  const state = { token: null, queue: null, offset: 0, limit: 50, q: '', total: 0, stream: null, timer: null,
                  refreshing: false, historyId: null };
  const $ = (id) => document.getElementById(id);

  // ---- the token: from #token=... (never sent to the server; removed from the address bar) or the form
  function readToken() {
    const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (m) {
      const t = decodeURIComponent(m[1]).trim();
      if (t) sessionStorage.setItem(TOKEN_KEY, t);
      history.replaceState(null, '', location.pathname + location.search);
    }
    state.token = sessionStorage.getItem(TOKEN_KEY);
  }

  function status(text, error) {
    const s = $('status');
    s.textContent = text;
    s.classList.toggle('error', !!error);
  }

  class Refused extends Error {}

  async function api(path, method) {
    const options = { method: method || 'GET', headers: { 'Authorization': 'Bearer ' + state.token },
                      cache: 'no-store', credentials: 'omit', redirect: 'error' };
    if (options.method !== 'GET') {
      options.headers['Content-Type'] = 'application/json';
      options.body = '{}';
    }
    const r = await fetch(path, options);
    if (r.status === 401) throw new Refused('The admin token was refused');
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (!r.ok) throw new Error((body && body.error) || ('HTTP ' + r.status));
    return body;
  }

  function signOut(why) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    stopStream();
    clearTimeout(state.timer);
    $('data').hidden = true;
    for (const id of ['queues', 'destinations', 'messages', 'history-recipients']) clear($(id).tBodies[0]);
    clear($('events'));
    status(why, !!why && why.indexOf('refused') >= 0);
  }

  // ---- little DOM helpers
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function cell(row, text, cls) {
    const td = document.createElement('td');
    td.textContent = text == null ? '' : String(text);
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }
  function button(parent, text, label, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    parent.appendChild(b);
    return b;
  }
  function age(seconds) {
    if (!seconds) return '0s';
    const h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + s + 's';
  }
  function time(iso) { return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''; }

  // ---- the queues
  async function refreshQueues() {
    const body = await api('/queue');
    const tbody = $('queues').tBodies[0];
    clear(tbody);
    if (!state.queue && body.queues.length) state.queue = body.queues[0].queue;
    for (const q of body.queues) {
      const tr = document.createElement('tr');
      tr.dataset.queue = q.queue;
      if (q.queue === state.queue) tr.className = 'selected';
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = q.queue;
      tr.appendChild(name);
      cell(tr, q.size, 'num size');
      cell(tr, q.held, 'num held');
      cell(tr, age(q.oldestAgeSeconds), 'num oldest');
      cell(tr, q.delivered, 'num');
      cell(tr, q.deferred, 'num');
      cell(tr, q.bounced, 'num');
      cell(tr, q.expired, 'num');
      const actions = cell(tr, '');
      button(actions, 'Show', 'Show queue ' + q.queue, () => choose(q.queue));
      button(actions, 'Flush', 'Flush queue ' + q.queue + ': retry every waiting message now', () =>
        act('/queue/' + encodeURIComponent(q.queue) + '/flush', 'POST', (r) => 'Flushed ' + r.flushed + ' message(s)'));
      tbody.appendChild(tr);
    }
    for (const n of document.querySelectorAll('.queue-name')) n.textContent = state.queue || '(no queue)';
  }

  function choose(queue) {
    if (queue === state.queue) return;
    state.queue = queue;
    state.offset = 0;
    state.q = '';
    $('search').value = '';
    closeHistory();
    clear($('events'));
    startStream();
    refresh();
  }

  async function act(path, method, describe) {
    try {
      const r = await api(path, method);
      status(describe(r));
    } catch (e) {
      if (e instanceof Refused) return signOut(e.message);
      status(e.message, true);
    }
    refresh();
  }

  // ---- the chart: queue size and delivery rates over the last hour, from the server's sampler
  async function refreshChart() {
    const body = await api('/queue/' + encodeURIComponent(state.queue) + '/samples');
    const col = {};
    body.columns.forEach((c, i) => { col[c] = i; });
    const samples = body.samples;
    const svg = $('chart');
    clear(svg);
    const W = 720, H = 200, P = 30;
    const end = samples.length ? samples[samples.length - 1][col.time] : Date.now();
    const start = end - 3600 * 1000;
    const x = (t) => P + (W - 2 * P) * (t - start) / (3600 * 1000);
    const rates = [];
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1], b = samples[i];
      const minutes = Math.max(1e-3, (b[col.time] - a[col.time]) / 60000);
      rates.push([b[col.time], Math.max(0, b[col.delivered] - a[col.delivered]) / minutes,
                  Math.max(0, b[col.deferred] - a[col.deferred]) / minutes]);
    }
    const maxSize = Math.max(1, ...samples.map((s) => s[col.size]));
    const maxRate = Math.max(1, ...rates.map((r) => Math.max(r[1], r[2])));
    const line = (points, cls) => {
      if (points.length < 1) return;
      const p = document.createElementNS(SVG, 'polyline');
      p.setAttribute('points', points.map((q) => q[0].toFixed(1) + ',' + q[1].toFixed(1)).join(' '));
      p.setAttribute('class', cls);
      svg.appendChild(p);
    };
    const text = (tx, ty, s, anchor) => {
      const t = document.createElementNS(SVG, 'text');
      t.setAttribute('x', tx);
      t.setAttribute('y', ty);
      if (anchor) t.setAttribute('text-anchor', anchor);
      t.textContent = s;
      svg.appendChild(t);
    };
    const axis = document.createElementNS(SVG, 'path');
    axis.setAttribute('d', 'M' + P + ' ' + P + ' V' + (H - P) + ' H' + (W - P) + ' V' + P);
    axis.setAttribute('stroke', '#999');
    axis.setAttribute('fill', 'none');
    svg.appendChild(axis);
    const ySize = (v) => H - P - (H - 2 * P) * v / maxSize;
    const yRate = (v) => H - P - (H - 2 * P) * v / maxRate;
    line(samples.map((s) => [x(s[col.time]), ySize(s[col.size])]), 'size');
    line(rates.map((r) => [x(r[0]), yRate(r[1])]), 'delivered');
    line(rates.map((r) => [x(r[0]), yRate(r[2])]), 'deferred');
    text(P - 4, P + 4, String(maxSize), 'end');
    text(P - 4, H - P, '0', 'end');
    text(W - P, P - 8, 'rate scale: top = ' + maxRate.toFixed(1) + ' per minute', 'end');
    text(P, P - 8, 'size scale: top = ' + maxSize + ' messages');
    text(P, H - 8, '-60 min');
    text(W - P, H - 8, 'now', 'end');
    $('chart-range').textContent = '(' + samples.length + ' samples, one per ' + body.intervalSeconds + ' s; size up to '
      + maxSize + ', rate up to ' + maxRate.toFixed(1) + ' per minute)';
  }

  // ---- destinations
  async function refreshDestinations() {
    const body = await api('/queue/' + encodeURIComponent(state.queue) + '/destinations');
    const tbody = $('destinations').tBodies[0];
    clear(tbody);
    for (const d of body.destinations) {
      const tr = document.createElement('tr');
      tr.dataset.domain = d.domain;
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = d.domain || '(no domain)';
      tr.appendChild(th);
      cell(tr, d.recipients, 'num');
      cell(tr, d.state === 'suspended' ? 'suspended until ' + d.suspendedUntil : d.state, 'state state-' + d.state);
      cell(tr, d.lastReply, 'reply');
      tbody.appendChild(tr);
    }
  }

  // ---- messages: one page at a time, searched on the server
  async function refreshMessages() {
    const path = '/queue/' + encodeURIComponent(state.queue) + '?offset=' + state.offset + '&limit=' + state.limit
      + '&q=' + encodeURIComponent(state.q);
    const body = await api(path);
    state.total = body.total;
    if (state.offset > 0 && state.offset >= body.total) {
      state.offset = Math.max(0, body.total - state.limit);
      return refreshMessages();
    }
    const tbody = $('messages').tBodies[0];
    clear(tbody);
    for (const m of body.items) {
      const tr = document.createElement('tr');
      tr.dataset.id = m.id;
      tr.dataset.status = m.status;
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = m.id;
      tr.appendChild(th);
      cell(tr, time(m.arrival));
      cell(tr, m.sender === '' ? '<>' : m.sender);
      cell(tr, m.recipients.join(', '));
      cell(tr, m.size, 'num');
      cell(tr, m.attempts, 'num');
      cell(tr, m.status, 'status status-' + m.status);
      cell(tr, m.lastError, 'reply');
      cell(tr, time(m.nextAttempt));
      const actions = cell(tr, '');
      const base = '/queue/' + encodeURIComponent(state.queue) + '/' + encodeURIComponent(m.id);
      button(actions, 'History', 'Delivery history of ' + m.id, () => showHistory(m.id, true));
      if (m.status === 'held') {
        button(actions, 'Release', 'Release ' + m.id + ' for delivery now', () =>
          act(base + '/release', 'POST', () => 'Released ' + m.id));
      } else {
        button(actions, 'Hold', 'Hold ' + m.id, () => act(base + '/hold', 'POST', () => 'Held ' + m.id));
      }
      button(actions, 'Delete', 'Delete ' + m.id + ' without notice', () => {
        if (window.confirm('Delete ' + m.id + ' from the queue, without a bounce to the sender?')) {
          act(base, 'DELETE', () => 'Deleted ' + m.id);
        }
      });
      tbody.appendChild(tr);
    }
    const last = Math.min(body.total, state.offset + body.items.length);
    $('page-info').textContent = body.total === 0 ? 'No messages' + (state.q ? ' match "' + state.q + '"' : '')
      : (state.offset + 1) + '–' + last + ' of ' + body.total + (state.q ? ' matching "' + state.q + '"' : '');
    $('page-prev').disabled = state.offset === 0;
    $('page-next').disabled = last >= body.total;
  }

  async function showHistory(id, focus) {
    state.historyId = id;
    try {
      const h = await api('/queue/' + encodeURIComponent(state.queue) + '/' + encodeURIComponent(id) + '/history');
      $('history-id').textContent = id;
      $('history-summary').textContent = h.attempts + ' attempt(s); status ' + h.status
        + (h.nextAttempt ? '; next attempt ' + time(h.nextAttempt) : '')
        + (h.lastError ? '; last error: ' + h.lastError : '');
      const tbody = $('history-recipients').tBodies[0];
      clear(tbody);
      for (const r of h.recipients) {
        const tr = document.createElement('tr');
        cell(tr, r.address);
        cell(tr, r.status);
        cell(tr, r.lastReply, 'reply');
        tbody.appendChild(tr);
      }
      $('history').hidden = false;
      if (focus) $('history-close').focus();
    } catch (e) {
      if (e instanceof Refused) return signOut(e.message);
      status(e.message, true);
    }
  }

  function closeHistory() {
    state.historyId = null;
    $('history').hidden = true;
  }

  // ---- live events: fetch() streaming (EventSource cannot send Authorization), parsed as text/event-stream
  function stopStream() {
    if (state.stream) state.stream.abort();
    state.stream = null;
  }

  function startStream() {
    stopStream();
    if (!state.queue || !state.token) return;
    const controller = new AbortController();
    state.stream = controller;
    const queue = state.queue;
    $('events-status').textContent = 'Connecting…';
    (async () => {
      try {
        const r = await fetch('/queue/' + encodeURIComponent(queue) + '/events', {
          headers: { 'Authorization': 'Bearer ' + state.token }, cache: 'no-store', credentials: 'omit',
          signal: controller.signal });
        if (r.status === 401) return signOut('The admin token was refused');
        if (!r.ok || !r.body) throw new Error('HTTP ' + r.status);
        $('events-status').textContent = 'Connected: new events appear at the top.';
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffered = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffered += value;
          if (buffered.length > 1 << 20) throw new Error('event larger than 1 MiB');
          let end;
          while ((end = buffered.indexOf('\n\n')) >= 0) {
            onEvent(buffered.slice(0, end));
            buffered = buffered.slice(end + 2);
          }
        }
        throw new Error('the server closed the stream');
      } catch (e) {
        if (controller.signal.aborted) return;
        $('events-status').textContent = 'Disconnected (' + e.message + '); reconnecting in 5 s.';
        setTimeout(() => { if (state.stream === controller) startStream(); }, 5000);
      }
    })();
  }

  function onEvent(block) {
    let type = 'message', data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) type = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trim();
    }
    if (!data) return;
    const li = document.createElement('li');
    if (type === 'dropped') {
      li.className = 'dropped';
      li.textContent = 'The browser read too slowly: ' + JSON.parse(data).dropped + ' event(s) dropped.';
    } else if (type === 'delivery') {
      const e = JSON.parse(data);
      li.dataset.type = e.type;
      li.dataset.id = e.queueId;
      li.textContent = time(e.time) + ' ' + e.type + ' ' + e.queueId + ' to <' + e.recipient + '>'
        + (e.code ? ' ' + e.code + (e.enhancedStatus ? ' ' + e.enhancedStatus : '') : '')
        + (e.text ? ' ' + e.text : '') + (e.remoteHost ? ' (' + e.remoteHost + ')' : '');
      scheduleRefresh(500);
    } else {
      return;
    }
    const list = $('events');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > MAX_EVENTS) list.removeChild(list.lastChild);
  }

  // ---- refresh everything of the chosen queue, every few seconds and after each event
  async function refresh() {
    if (!state.token) return;
    if (state.refreshing) { state.again = true; return; }
    state.refreshing = true;
    clearTimeout(state.timer);
    try {
      await refreshQueues();
      $('data').hidden = false;
      if (state.queue) {
        await Promise.all([refreshMessages(), refreshDestinations(), refreshChart()]);
        if (state.historyId) await showHistory(state.historyId);
      }
      if ($('status').classList.contains('error') || /^Enter|^Loading/.test($('status').textContent)) {
        status('Signed in with the admin token (kept in this tab only).');
      }
    } catch (e) {
      if (e instanceof Refused) { state.refreshing = false; return signOut(e.message + ': enter the admin token again.'); }
      status('Cannot read the queues: ' + e.message, true);
    }
    state.refreshing = false;
    scheduleRefresh(state.again ? 100 : REFRESH_MS);
    state.again = false;
  }

  function scheduleRefresh(ms) {
    clearTimeout(state.timer);
    if (state.token) state.timer = setTimeout(refresh, ms);
  }

  function signIn() {
    if (!state.token) return;
    status('Loading…');
    refresh().then(() => { if (state.token && !state.stream) startStream(); });
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('token-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const t = $('token').value.trim();
      $('token').value = '';
      if (!t) return;
      sessionStorage.setItem(TOKEN_KEY, t);
      state.token = t;
      signIn();
    });
    $('token-forget').addEventListener('click', () => signOut('Token forgotten. Enter the admin token to see the queues.'));
    $('search-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      state.q = $('search').value.trim();
      state.offset = 0;
      refresh();
    });
    $('page-prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - state.limit); refresh(); });
    $('page-next').addEventListener('click', () => { state.offset += state.limit; refresh(); });
    $('history-close').addEventListener('click', closeHistory);
    // a link with #token=... opened while the page is already shown changes only the fragment: no new load
    window.addEventListener('hashchange', () => {
      if (/(?:^#|&)token=/.test(location.hash)) {
        readToken();
        stopStream();
        signIn();
      }
    });
    readToken();
    signIn();
  });
})();
