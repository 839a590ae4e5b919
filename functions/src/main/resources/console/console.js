'use strict';
// The agent and supervisor console: the agent API only, on this page's own origin, with the user's
// token (a bearer token kept for this tab only). Every second it reads the caller's calls again, so
// the page follows each change within two seconds. On a local runtime it is also the demo's phones.
(() => {
  const POLL_MILLIS = 1000;
  const DIRECTORY_MILLIS = 15000;
  const MAX_PAGES = 5;
  const state = { token: null, me: null, directory: { workers: [], queues: [] }, directoryAt: 0, demo: false, timer: null, busy: false };
  const $ = (id) => document.getElementById(id);

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => {
      if (name === 'text') {
        node.textContent = value;
      } else if (name === 'onclick') {
        node.addEventListener('click', value);
      } else if (value !== null && value !== undefined && value !== false) {
        node.setAttribute(name, value === true ? '' : String(value));
      }
    });
    children.flat().forEach((child) => child && node.append(child));
    return node;
  }

  function showError(message) {
    $('error').textContent = message || '';
  }

  /** One request to the product; an answer that is not 2xx throws the API's own words. */
  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (state.token) {
      headers.Authorization = 'Bearer ' + state.token;
    }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch (ignored) {
      json = null;
    }
    if (!response.ok) {
      const message = json && json.error && json.error.message ? json.error.message : (json && json.message) || 'HTTP ' + response.status;
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return json;
  }

  /** Runs an action a user asked for: its error is shown as the API words it, then the page reads the calls again. */
  async function act(action) {
    showError('');
    try {
      await action();
    } catch (error) {
      showError(error.message);
    }
    await refresh();
  }

  // ------------------------------------------------------------------ signing in

  function tokenFromFragment() {
    const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    return match ? decodeURIComponent(match[1]) : null;
  }

  async function signIn(token) {
    state.token = token;
    sessionStorage.setItem('call-control-token', token);
    try {
      const directory = await api('GET', '/directory');
      state.directory = directory;
      state.directoryAt = Date.now();
      state.me = directory.me;
    } catch (error) {
      signOut();
      showError(error.message);
      return;
    }
    showError('');
    $('who').textContent = (state.me.name || state.me.workerSid) + (state.me.supervisor ? ' (supervisor)' : '');
    $('sign-in').hidden = true;
    $('sign-out').hidden = false;
    $('app').hidden = false;
    $('outbound').hidden = false;
    $('call-list').replaceChildren();
    await refresh();
  }

  function signOut() {
    state.token = null;
    state.me = null;
    sessionStorage.removeItem('call-control-token');
    $('who').textContent = '';
    $('sign-in').hidden = false;
    $('sign-out').hidden = true;
    $('app').hidden = true;
    $('call-list').replaceChildren();
  }

  // ------------------------------------------------------------------ calls

  function workerName(sid) {
    const worker = state.directory.workers.find((w) => w.workerSid === sid);
    return worker ? worker.name : sid;
  }

  function partyLabel(leg, view) {
    if (leg.role === 'customer') {
      return 'Customer';
    }
    if (leg.role === 'supervisor') {
      return 'Supervisor ' + workerName(view.supervisor ? view.supervisor.workerSid : leg.workerSid);
    }
    if (leg.workerSid) {
      return (leg.role === 'agent' ? 'Agent ' : 'Transfer target ') + workerName(leg.workerSid);
    }
    const number = view.transfer && view.transfer.target === 'number' ? view.transfer.to
      : view.warmTransfer && view.warmTransfer.target === 'number' ? view.warmTransfer.to : null;
    return 'External number' + (number ? ' ' + number : '');
  }

  function flags(leg) {
    const out = [];
    if (leg.hold) {
      out.push('on hold');
    }
    if (leg.muted) {
      out.push('muted');
    }
    if (leg.coaching) {
      out.push('coaching (whisper)');
    }
    return out.length ? ' (' + out.join(', ') + ')' : '';
  }

  function targetLabel(kind, to) {
    return kind === 'worker' ? workerName(to) : kind === 'queue' ? 'queue ' + to : to;
  }

  function transferText(view) {
    const lines = [];
    if (view.transfer) {
      lines.push(el('p', { text: 'Cold transfer to ' + targetLabel(view.transfer.target, view.transfer.to) + ': ' + view.transfer.state }));
    }
    const warm = view.warmTransfer;
    if (warm) {
      lines.push(el('p', { text: 'Warm transfer to ' + targetLabel(warm.target, warm.to) + ': ' + warm.state }));
      lines.push(el('ol', { 'aria-label': 'Transfer history' }, (warm.history || []).map((h) => el('li', {
        text: (h.from ? h.from + ' → ' : '') + h.to + ' (' + h.reason + ', by ' + (h.by === 'twilio' ? 'Twilio' : workerName(h.by)) + ')'
      }))));
    }
    return lines;
  }

  /** The transfer target picker of a call card: the workspace's workers and queues, or a number. */
  function targetPicker() {
    const select = el('select', { 'aria-label': 'Transfer target', 'data-role': 'target' });
    const number = el('input', { 'aria-label': 'Transfer number', 'data-role': 'number', inputmode: 'tel', placeholder: '+14155550100' });
    fillTargets(select);
    return el('span', { class: 'target' }, select, number);
  }

  function fillTargets(select) {
    const options = [];
    state.directory.workers.filter((w) => !state.me || w.workerSid !== state.me.workerSid)
      .forEach((w) => options.push(['worker:' + w.workerSid, w.name + (w.available ? '' : ' (' + (w.activity || 'unavailable') + ')')]));
    state.directory.queues.forEach((q) => options.push(['queue:' + q.name, 'Queue ' + q.name]));
    options.push(['number:', 'Number']);
    const signature = JSON.stringify(options);
    if (select.dataset.options === signature) {
      return;
    }
    const chosen = select.value;
    select.replaceChildren(...options.map(([value, label]) => el('option', { value, text: label })));
    select.dataset.options = signature;
    if (options.some(([value]) => value === chosen)) {
      select.value = chosen;
    }
  }

  function chosenTarget(card) {
    const [kind, value] = card.querySelector('[data-role=target]').value.split(/:(.*)/s);
    if (kind === 'number') {
      return { number: card.querySelector('[data-role=number]').value.trim() };
    }
    return kind === 'worker' ? { worker: value } : { queue: value };
  }

  function button(label, onclick) {
    return el('button', { type: 'button', onclick }, label);
  }

  /** A call's card, made once and kept, so that what the user is choosing survives each refresh. */
  function card(view) {
    const id = 'call-' + view.taskSid;
    let node = document.getElementById(id);
    if (node) {
      return node;
    }
    node = el('article', { id, class: 'call', 'aria-label': 'Call ' + view.taskSid });
    const path = '/calls/' + view.taskSid;
    const actions = el('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' });
    if (state.me.supervisor) {
      actions.append(
        button('Monitor', () => act(() => api('POST', path + '/supervisor', { mode: 'monitor' }))),
        button('Whisper', () => act(() => api('POST', path + '/supervisor', { mode: 'whisper' }))),
        button('Barge', () => act(() => api('POST', path + '/supervisor', { mode: 'barge' }))),
        button('Stop monitoring', () => act(() => api('DELETE', path + '/supervisor'))),
        button('Hang up', () => act(() => api('POST', path + '/hangup', {}))));
    } else {
      const target = node;
      actions.append(
        button('Hold', () => act(() => api('POST', path + '/hold', { hold: true }))),
        button('Resume', () => act(() => api('POST', path + '/hold', { hold: false }))),
        targetPicker(),
        button('Cold transfer', () => act(() => api('POST', path + '/cold-transfer', { to: chosenTarget(target) }))),
        button('Warm transfer', () => act(() => api('POST', path + '/warm-transfer', { to: chosenTarget(target) }))),
        button('Three-way', () => act(() => api('POST', path + '/warm-transfer/three-way', {}))),
        button('Complete transfer', () => act(() => api('POST', path + '/warm-transfer/complete', {}))),
        button('Cancel transfer', () => act(() => api('POST', path + '/warm-transfer/cancel', {}))),
        button('Hang up', () => act(() => api('POST', path + '/hangup', {}))));
    }
    node.append(el('h3', { text: 'Call ' + view.taskSid }), el('p', { class: 'status', 'data-role': 'status' }),
      el('ul', { 'aria-label': 'Participants', 'data-role': 'participants' }), el('div', { class: 'transfer', 'data-role': 'transfer' }), actions);
    $('call-list').append(node);
    return node;
  }

  function setEnabled(node, label, enabled) {
    node.querySelectorAll('button').forEach((b) => {
      if (b.textContent === label) {
        b.disabled = !enabled;
      }
    });
  }

  function render(calls) {
    const seen = new Set();
    calls.forEach((view) => {
      seen.add('call-' + view.taskSid);
      const node = card(view);
      const held = !!view.hold;
      node.querySelector('[data-role=status]').textContent = 'Status: ' + view.status + (held ? ', customer on hold' : '')
        + (view.supervisor ? ', supervisor ' + workerName(view.supervisor.workerSid) + ' ' + view.supervisor.mode + ' (' + view.supervisor.state + ')' : '');
      node.querySelector('[data-role=participants]').replaceChildren(...(view.participants || []).map((leg) =>
        el('li', { text: partyLabel(leg, view) + flags(leg) })));
      const transfer = node.querySelector('[data-role=transfer]');
      const lines = transferText(view);
      transfer.replaceChildren(...lines);
      transfer.hidden = lines.length === 0;
      const picker = node.querySelector('[data-role=target]');
      if (picker) {
        fillTargets(picker);
      }
      if (!state.me.supervisor) {
        const warm = view.warmTransfer;
        const mine = warm && warm.fromWorkerSid === state.me.workerSid;
        const busy = !!view.transfer || !!warm;
        setEnabled(node, 'Hold', !!view.customer && !held && !busy);
        setEnabled(node, 'Resume', held && !busy);
        setEnabled(node, 'Cold transfer', !!view.customer && !busy);
        setEnabled(node, 'Warm transfer', !!view.customer && !busy);
        setEnabled(node, 'Three-way', mine && warm.state === 'CONSULTING');
        setEnabled(node, 'Complete transfer', mine && ['RINGING', 'CONSULTING', 'THREE_WAY'].includes(warm.state));
        setEnabled(node, 'Cancel transfer', mine && ['INITIATED', 'RINGING', 'CONSULTING', 'THREE_WAY'].includes(warm.state));
      } else {
        const mine = view.supervisor && view.supervisor.workerSid === state.me.workerSid;
        setEnabled(node, 'Stop monitoring', !!mine);
      }
    });
    Array.from($('call-list').children).forEach((node) => {
      if (!seen.has(node.id)) {
        node.remove();
      }
    });
    $('no-calls').hidden = calls.length > 0;
  }

  async function readCalls() {
    const calls = [];
    let cursor = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await api('GET', '/calls' + (cursor ? '?cursor=' + encodeURIComponent(cursor) : ''));
      calls.push(...(answer.calls || []));
      cursor = answer.next;
      if (!cursor) {
        break;
      }
    }
    return calls;
  }

  // ------------------------------------------------------------------ the local demo: every party's phone

  function hearsText(hears) {
    return (hears || []).map((h) => h.party ? h.party : h.sound === 'say' ? 'says "' + h.text + '"' : h.sound).join(', ') || 'nothing';
  }

  /** Each phone's entry is kept while its call lives, so that a button is never swapped under a click. */
  function renderPhones(calls) {
    const live = calls.filter((c) => c.status === 'ringing' || c.status === 'in-progress');
    const seen = new Set();
    live.forEach((call) => {
      const id = 'phone-' + call.callSid;
      seen.add(id);
      const ringing = call.status === 'ringing';
      let item = document.getElementById(id);
      if (!item || item.dataset.ringing !== String(ringing)) {
        const fresh = el('li', { id, 'aria-label': 'Phone ' + call.party, 'data-ringing': String(ringing) },
          el('strong', { text: call.party }), ' ', el('span', { 'data-role': 'doing' }), el('span', { class: 'hears', 'data-role': 'hears' }), ' ',
          ringing ? [button('Answer', () => act(() => api('POST', '/dev/sim/calls/' + call.callSid + '/answer', {}))),
            button('Decline', () => act(() => api('POST', '/dev/sim/calls/' + call.callSid + '/decline', {})))]
            : [button('Hang up', () => act(() => api('POST', '/dev/sim/calls/' + call.callSid + '/hangup', {})))]);
        if (item) {
          item.replaceWith(fresh);
        } else {
          $('phones').append(fresh);
        }
        item = fresh;
      }
      item.querySelector('[data-role=doing]').textContent = ringing ? 'ringing' : call.doing || call.status;
      item.querySelector('[data-role=hears]').textContent = ' hears: ' + hearsText(call.hears);
    });
    Array.from($('phones').children).forEach((item) => {
      if (!seen.has(item.id)) {
        item.remove();
      }
    });
    $('no-phones').hidden = live.length > 0;
  }

  async function startDemo() {
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(location.hostname)) {
      return;
    }
    let directory;
    try {
      directory = await api('GET', '/dev/sim/workers');
    } catch (ignored) {
      return;
    }
    const auth = await api('GET', '/dev/sim/agent-auth');
    state.demo = true;
    $('demo').hidden = false;
    $('demo-sign-in').replaceChildren(...directory.workers.map((w) => button('Sign in as ' + w.name, () => act(async () => {
      // The same tokens any client would use here: JWTs, or Flex tokens when the runtime takes those.
      const minted = await api('POST', auth.tokens, { worker: w.name });
      await signIn(minted.token);
    }))));
  }

  // ------------------------------------------------------------------ the loop

  async function refresh() {
    if (state.busy) {
      return;
    }
    state.busy = true;
    try {
      if (state.token && state.me) {
        if (Date.now() - state.directoryAt > DIRECTORY_MILLIS) {
          state.directory = await api('GET', '/directory');
          state.directoryAt = Date.now();
        }
        render(await readCalls());
      }
      if (state.demo) {
        renderPhones((await api('GET', '/dev/sim/hearing')).calls || []);
      }
    } catch (error) {
      showError(error.message);
      if (error.status === 401) {
        signOut();
      }
    } finally {
      state.busy = false;
    }
  }

  function loop() {
    clearTimeout(state.timer);
    state.timer = setTimeout(async () => {
      await refresh();
      loop();
    }, POLL_MILLIS);
  }

  async function fromFragment() {
    const token = tokenFromFragment();
    if (token) {
      history.replaceState(null, '', location.pathname + location.search);
      await signIn(token);
    }
  }

  $('use-token').addEventListener('click', () => act(() => signIn($('token-input').value.trim())));
  $('sign-out').addEventListener('click', () => signOut());
  $('dial').addEventListener('click', () => act(() => {
    const body = { to: $('dial-to').value.trim() };
    if ($('dial-from').value.trim()) {
      body.from = $('dial-from').value.trim();
    }
    return api('POST', '/calls', body);
  }));
  $('demo-dial').addEventListener('click', () => act(() => api('POST', '/dev/sim/calls', { from: $('demo-customer').value.trim() })));
  window.addEventListener('hashchange', () => fromFragment());

  (async () => {
    await startDemo();
    const stored = sessionStorage.getItem('call-control-token');
    if (tokenFromFragment()) {
      await fromFragment();
    } else if (stored) {
      await signIn(stored);
    }
    await refresh();
    loop();
  })();
})();
