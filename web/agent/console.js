// The agent console. Everything a person typed is put on the page with textContent (never
// innerHTML), so a "<script>" in a message is shown as text. The session token lives in
// sessionStorage and travels only in the Authorization header.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const state = {
    lang: localStorage.getItem('musaed.agent.lang') === 'en' ? 'en' : 'ar',
    strings: {},
    token: sessionStorage.getItem('musaed.agent.token') || '',
    agent: JSON.parse(sessionStorage.getItem('musaed.agent.me') || 'null'),
    current: null, // conversation id
    lastId: '-',
    events: null, // AbortController of the event stream
    timers: [],
  };

  const s = (key, args) => {
    let text = state.strings[key] || key;
    for (const [k, v] of Object.entries(args || {})) text = text.split(`{{${k}}}`).join(String(v));
    return text;
  };

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }

  async function loadStrings() {
    const res = await fetch(`/agent/strings/${state.lang}`);
    state.strings = await res.json();
    document.documentElement.lang = state.lang;
    document.documentElement.dir = state.lang === 'ar' ? 'rtl' : 'ltr';
    document.title = s('title');
    for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = s(node.dataset.i18n);
    for (const node of document.querySelectorAll('[data-i18n-placeholder]')) node.placeholder = s(node.dataset.i18nPlaceholder);
    const other = await (await fetch(`/agent/strings/${state.lang === 'ar' ? 'en' : 'ar'}`)).json();
    $('lang').textContent = other.languageName || '';
  }

  // ---- API -------------------------------------------------------------------------------
  async function api(path, options = {}) {
    const res = await fetch(`/api/agent${path}`, {
      ...options,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${state.token}`, ...(options.headers || {}) },
    });
    if (res.status === 401) {
      signOut(s('sessionExpired'));
      throw new Error('unauthorized');
    }
    const body = await res.json().catch(() => ({}));
    return { status: res.status, body };
  }

  // ---- sign-in ---------------------------------------------------------------------------
  async function signIn(event) {
    event.preventDefault();
    $('login-error').textContent = '';
    const res = await fetch('/api/agent/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: $('username').value, password: $('password').value }),
    });
    if (res.status !== 200) {
      $('login-error').textContent = s('badLogin');
      return;
    }
    const body = await res.json();
    state.token = body.token;
    state.agent = body.agent;
    sessionStorage.setItem('musaed.agent.token', state.token);
    sessionStorage.setItem('musaed.agent.me', JSON.stringify(state.agent));
    $('password').value = '';
    showDesk();
  }

  function signOut(message) {
    if (state.token) void fetch('/api/agent/logout', { method: 'POST', headers: { authorization: `Bearer ${state.token}` } }).catch(() => {});
    state.token = '';
    state.agent = null;
    state.current = null;
    sessionStorage.removeItem('musaed.agent.token');
    sessionStorage.removeItem('musaed.agent.me');
    if (state.events) state.events.abort();
    for (const t of state.timers) clearInterval(t);
    state.timers = [];
    $('desk').hidden = true;
    $('signout').hidden = true;
    $('me').textContent = '';
    $('login').hidden = false;
    $('login-error').textContent = typeof message === 'string' ? message : '';
  }

  function showDesk() {
    $('login').hidden = true;
    $('desk').hidden = false;
    $('signout').hidden = false;
    $('me').textContent = state.agent ? state.agent.name : '';
    void refreshQueue();
    startEvents();
    state.timers.push(setInterval(() => void refreshQueue().catch(() => {}), 5000));
    state.timers.push(setInterval(() => void api('/heartbeat', { method: 'POST' }).catch(() => {}), 20000));
  }

  // ---- queue -----------------------------------------------------------------------------
  const langName = (lang) => (lang === 'en' ? s('langEn') : lang === 'ar' ? s('langAr') : lang);
  const CHANNEL_KEYS = { 'musaed.webchat': 'channelWeb', whatsapp: 'channelWhatsApp', emulator: 'channelEmulator' };
  const channelName = (id) => (CHANNEL_KEYS[id] ? s(CHANNEL_KEYS[id]) : id);

  const clock = (seconds) => {
    const m = Math.floor(seconds / 60);
    const sec = String(seconds % 60).padStart(2, '0');
    return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
  };

  async function refreshQueue() {
    const { status, body } = await api('/queue');
    if (status !== 200) return;
    $('online').textContent = `(${s('agentsOnline', { n: body.agentsOnline })})`;
    const list = $('queue');
    list.replaceChildren();
    const visible = body.items.filter((i) => i.status === 'queued' || i.mine);
    $('queue-empty').hidden = visible.length > 0;
    for (const item of visible) {
      const action =
        item.status === 'queued'
          ? el('button', { type: 'button', text: s('claim'), 'data-testid': 'claim', onclick: () => void claim(item.id) })
          : el('button', { type: 'button', class: 'secondary', text: s('open'), onclick: () => void openConversation(item.id) });
      list.append(
        el(
          'li',
          { class: item.mine ? 'mine' : '', 'data-id': item.id, 'data-testid': 'queue-item' },
          el('span', { class: 'reason', dir: 'auto', text: item.reason || s('none'), 'data-testid': 'reason' }),
          // Waiting time only while queued: once claimed, who holds it.
          el('span', { class: 'meta', text: `${item.status === 'queued' ? s('waiting', { time: clock(item.waitingSeconds) }) : s('heldBy', { agent: item.agentName || '' })} · ${s('channel')}: ${channelName(item.channel)} · ${s('language')}: ${langName(item.lang)}` }),
          action,
        ),
      );
    }
  }

  async function claim(id) {
    $('notice').textContent = '';
    const { status } = await api(`/conversations/${id}/claim`, { method: 'POST' });
    if (status === 409) {
      $('notice').textContent = s('claimLost');
      await refreshQueue();
      return;
    }
    if (status === 200) {
      await openConversation(id);
      await refreshQueue();
    }
  }

  // ---- one conversation ---------------------------------------------------------------------
  function line(entry) {
    const role = entry.role === 'bot' ? 'bot' : entry.role;
    if (role === 'system') {
      const key = { claimed: 'lineClaimed', requeued: 'lineRequeued', ended: 'lineEnded' }[entry.text];
      return el('li', { class: 'system', text: key ? s(key, { name: entry.name || '' }) : entry.text });
    }
    const who = role === 'user' ? s('roleUser') : role === 'agent' ? entry.name || s('roleAgent') : s('roleBot');
    const item = el('li', { class: role, 'data-role': role }, el('span', { class: 'who', text: who }));
    const text = el('div', { class: 'text', dir: 'auto', text: entry.text || '' });
    item.append(text);
    if (entry.revealable && entry.id) {
      // The user's words were masked (an ID number…): shown in full only on request, and the server audits it.
      const button = el('button', { type: 'button', class: 'reveal', text: s('reveal') });
      button.addEventListener('click', async () => {
        const { status, body } = await api(`/conversations/${state.current}/messages/${encodeURIComponent(entry.id)}/reveal`, { method: 'POST' });
        if (status === 200) {
          text.textContent = body.text;
          button.remove();
        }
      });
      item.append(button);
    }
    for (const a of entry.attachments || []) {
      if (typeof a === 'string') {
        item.append(el('div', { class: 'attachment', text: `📎 ${a}` }));
      } else if (a.contentUrl && /^https?:\/\//i.test(a.contentUrl)) {
        item.append(el('a', { href: a.contentUrl, target: '_blank', rel: 'noopener noreferrer', text: `📎 ${a.name || s('attachment')}` }));
      } else {
        // Not one of our stored files (the server keeps a link a user sent as `url`): plain text, never a link.
        item.append(el('div', { class: 'attachment', dir: 'auto', text: `📎 ${a.name || a.contentType || s('attachment')}${a.url ? ` — ${a.url}` : ''}` }));
      }
    }
    return item;
  }

  function renderContext(view) {
    const dl = $('context');
    dl.replaceChildren();
    const row = (label, value) => dl.append(el('dt', { text: label }), el('dd', { dir: 'auto', text: value === undefined || value === '' ? s('none') : String(value) }));
    const ctx = view.context || {};
    row(s('reason'), view.reason);
    row(s('trigger'), { user: s('triggerUser'), misunderstood: s('triggerMisunderstood'), failure: s('triggerFailure') }[view.trigger] || view.trigger);
    row(s('intent'), ctx.intent);
    row(s('verified'), ctx.verified === undefined ? undefined : ctx.verified ? s('yes') : s('no'));
    for (const [k, v] of Object.entries(ctx.details || {})) row(k, v);
    row(s('channel'), channelName(view.channel));
    row(s('language'), langName(view.lang));
  }

  async function openConversation(id) {
    const { status, body } = await api(`/conversations/${id}`);
    if (status !== 200) return;
    state.current = id;
    state.lastId = '-';
    $('select-hint').hidden = true;
    $('conv').hidden = false;
    renderContext(body);
    $('transcript').replaceChildren(...body.transcript.map(line));
    $('chat').replaceChildren();
    appendMessages(body.messages);
    $('message').focus();
  }

  function appendMessages(messages) {
    const chat = $('chat');
    for (const m of messages) {
      chat.append(line(m));
      state.lastId = m.id;
    }
    chat.scrollTop = chat.scrollHeight;
  }

  async function loadMessages() {
    if (!state.current) return;
    const id = state.current;
    const { status, body } = await api(`/conversations/${id}/messages?after=${encodeURIComponent(state.lastId)}`);
    if (status === 200 && id === state.current) appendMessages(body.messages);
  }

  function closeConversation() {
    state.current = null;
    $('conv').hidden = true;
    $('select-hint').hidden = false;
  }

  async function send(event) {
    event.preventDefault();
    if (!state.current) return;
    const text = $('message').value.trim();
    const url = $('attachment').value.trim();
    if (!text && !url) return;
    const attachments = url ? [{ contentType: 'application/octet-stream', contentUrl: url, name: url.split('/').pop() || url }] : [];
    const { status } = await api(`/conversations/${state.current}/messages`, { method: 'POST', body: JSON.stringify({ text, attachments }) });
    if (status === 200) {
      $('message').value = '';
      $('attachment').value = '';
      $('notice').textContent = '';
      await loadMessages();
    } else {
      $('notice').textContent = s('sendFailed');
    }
  }

  async function finish(action) {
    if (!state.current) return;
    await api(`/conversations/${state.current}/${action}`, { method: 'POST' });
    closeConversation();
    await refreshQueue();
  }

  // ---- live events: server-sent events read with fetch, so the token stays in a header ----------
  function startEvents() {
    if (state.events) state.events.abort();
    const controller = new AbortController();
    state.events = controller;
    const connect = async () => {
      try {
        const res = await fetch('/api/agent/events', { headers: { authorization: `Bearer ${state.token}` }, signal: controller.signal });
        if (res.status === 401) return signOut(s('sessionExpired'));
        $('connection').hidden = true;
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const chunk = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const data = chunk.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('');
            if (data) onEvent(JSON.parse(data));
          }
        }
      } catch (err) {
        if (controller.signal.aborted) return;
      }
      if (controller.signal.aborted) return;
      $('connection').hidden = false;
      setTimeout(() => void connect(), 2000);
    };
    void connect();
  }

  function onEvent(event) {
    if (event.type === 'queue' || event.type === 'hello') void refreshQueue().catch(() => {});
    if (event.type === 'message' && event.id === state.current) void loadMessages().catch(() => {});
    if (event.type === 'hello') void loadMessages().catch(() => {});
  }

  // ---- start -----------------------------------------------------------------------------
  async function start() {
    await loadStrings();
    $('login-form').addEventListener('submit', (e) => void signIn(e));
    $('signout').addEventListener('click', () => signOut());
    $('composer').addEventListener('submit', (e) => void send(e));
    $('transfer').addEventListener('click', () => void finish('transfer'));
    $('end').addEventListener('click', () => void finish('end'));
    $('lang').addEventListener('click', async () => {
      state.lang = state.lang === 'ar' ? 'en' : 'ar';
      localStorage.setItem('musaed.agent.lang', state.lang);
      await loadStrings();
      if (state.token) await refreshQueue();
      if (state.current) await openConversation(state.current);
    });
    if (state.token) {
      const { status } = await api('/me').catch(() => ({ status: 401 }));
      if (status === 200) return showDesk();
    }
    signOut();
  }

  void start();
})();
