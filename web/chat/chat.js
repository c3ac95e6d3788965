// The web chat page: Web Chat (served from the installed npm package) talking to the bot
// through our Direct Line endpoint. The conversation token lives in sessionStorage, so a
// reload resumes the same conversation; the endpoint replays it from the start, so the
// transcript comes back too.
// Language: the page follows the bot. Every bot message carries its locale, and the page (its
// direction, strings and Web Chat) turns to it, however the user asked (the button, the bot's
// menu, or typing "can you reply in english"). The page's own button switches the page at once
// and tells the bot, whose language preference is its own.
// The server writes the page in the browser's language with its welcome, so something useful
// shows at once; Web Chat (4 MB) is added behind it and replaces the welcome on the first reply.
'use strict';

(() => {
  const DOMAIN = `${location.origin}/v3/directline`;
  const SESSION_KEY = 'musaed.chat.session';
  const LANG_KEY = 'musaed.chat.lang';
  const LOCALES = { ar: 'ar-SA', en: 'en-US' };
  const STATUS = { online: 2, expiredToken: 3, failedToConnect: 4, ended: 5 };
  // subtle: timestamps and other small print, ≥ 4.5:1 on the canvas (Web Chat's #767676 gives 4.29:1).
  const COLORS = { brand: '#0b6e4f', brandDark: '#085a40', line: '#dde3df', canvas: '#f7f9f8', subtle: '#56635c' };

  const $ = (id) => document.getElementById(id);
  const langOf = (locale) => (/^ar\b/i.test(locale || '') ? 'ar' : /^en\b/i.test(locale || '') ? 'en' : null);
  const savedLang = localStorage.getItem(LANG_KEY);

  const state = {
    // The page came written in the browser's language; a choice made earlier on this device wins.
    lang: savedLang === 'ar' || savedLang === 'en' ? savedLang : langOf(document.documentElement.lang) || 'ar',
    strings: { ar: {}, en: {} },
    directLine: null,
    store: null,
    refreshTimer: 0,
    /** The conversation was started again once after the server lost it (see connect). */
    restarted: false,
  };
  const s = (key) => (typeof state.strings[state.lang][key] === 'string' ? state.strings[state.lang][key] : '');

  // ---- strings and layout direction --------------------------------------------------------
  function applyStrings() {
    const other = state.lang === 'ar' ? 'en' : 'ar';
    document.documentElement.lang = state.lang;
    document.documentElement.dir = state.lang === 'ar' ? 'rtl' : 'ltr';
    document.title = s('title');
    for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = s(node.dataset.i18n);
    const toggle = $('lang');
    toggle.textContent = state.strings[other].languageName || '';
    toggle.lang = other;
    toggle.title = s('switchLanguage');
    toggle.setAttribute('aria-label', `${s('switchLanguage')}: ${toggle.textContent}`);
  }

  function showStatus(key) {
    const node = $('status');
    node.textContent = key ? s(key) : '';
    node.hidden = !key;
    if (key === 'connectFailed') $('welcome-status').hidden = true;
  }

  /** The welcome stands in for the conversation until the bot's first message shows. */
  function hideWelcome() {
    $('welcome').hidden = true;
  }

  // ---- phones: the page is as tall as what is visible above the on-screen keyboard ----------------
  // Browsers honouring interactive-widget=resizes-content (Chrome on Android) shrink the page
  // themselves; elsewhere (Safari) the visual viewport shrinks while the page does not.
  function fitVisualViewport() {
    const vv = window.visualViewport;
    if (!vv) return;
    const fit = () => {
      document.documentElement.style.setProperty('--visible-height', `${Math.round(vv.height)}px`);
      if (vv.offsetTop > 0) window.scrollTo(0, 0);
    };
    vv.addEventListener('resize', fit);
    fit();
  }

  // ---- the conversation token ----------------------------------------------------------------
  function readSession() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
      return saved && typeof saved.token === 'string' && typeof saved.conversationId === 'string' ? saved : null;
    } catch {
      return null;
    }
  }

  function saveSession(body) {
    const saved = { conversationId: body.conversationId, token: body.token, expiresAt: Date.now() + body.expires_in * 1000 };
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(saved));
    return saved;
  }

  async function tokenCall(action, token) {
    const res = await fetch(`${DOMAIN}/tokens/${action}`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!res.ok) throw Object.assign(new Error(`tokens/${action} answered ${res.status}`), { status: res.status });
    return res.json();
  }

  /** The stored conversation when its token still works (refreshed: a new expiry), else a new one. */
  async function openSession() {
    const saved = readSession();
    if (saved && saved.expiresAt > Date.now() + 5000) {
      try {
        return saveSession(await tokenCall('refresh', saved.token));
      } catch (err) {
        if (err.status !== 401 && err.status !== 403) throw err; // the network, not the token: do not drop the conversation
      }
    }
    return saveSession(await tokenCall('generate'));
  }

  /** Keeps the stored token fresh so a reload after a long pause still finds the conversation. */
  function scheduleRefresh(saved) {
    clearTimeout(state.refreshTimer);
    const wait = Math.max(10_000, (saved.expiresAt - Date.now()) * 0.75);
    state.refreshTimer = setTimeout(async () => {
      try {
        scheduleRefresh(saveSession(await tokenCall('refresh', saved.token)));
      } catch (err) {
        if (err.status !== 401 && err.status !== 403) state.refreshTimer = setTimeout(() => scheduleRefresh(saved), 30_000);
      }
    }, wait);
  }

  // ---- Web Chat --------------------------------------------------------------------------------
  function styleOptions() {
    return {
      accent: COLORS.brand,
      backgroundColor: COLORS.canvas,
      subtle: COLORS.subtle,
      timestampColor: COLORS.subtle,
      primaryFont: getComputedStyle(document.documentElement).getPropertyValue('--font').trim(),
      bubbleBackground: '#ffffff',
      bubbleBorderColor: COLORS.line,
      bubbleBorderWidth: 1,
      bubbleBorderRadius: 14,
      bubbleFromUserBackground: COLORS.brand,
      bubbleFromUserBorderColor: COLORS.brand,
      bubbleFromUserTextColor: '#ffffff',
      bubbleFromUserBorderRadius: 14,
      bubbleMaxWidth: 560,
      botAvatarImage: '/chat/logo.svg',
      botAvatarInitials: s('brand').charAt(0),
      // FAQ follow-ups are whole questions: wrap them as buttons rather than a sideways carousel.
      suggestedActionLayout: 'flow',
      suggestedActionBackgroundColor: '#ffffff',
      suggestedActionBorderColor: COLORS.brand,
      suggestedActionTextColor: COLORS.brand,
      suggestedActionBorderRadius: 18,
      hideUploadButton: false,
      sendBoxButtonColor: COLORS.brand,
      sendBoxButtonColorOnHover: COLORS.brandDark,
      sendBoxBorderTop: `solid 1px ${COLORS.line}`,
      rootHeight: '100%',
    };
  }

  function render() {
    // Re-rendering into the same element keeps the store and connection: only the props change.
    window.WebChat.renderWebChat(
      {
        directLine: state.directLine,
        store: state.store,
        locale: LOCALES[state.lang],
        dir: state.lang === 'ar' ? 'rtl' : 'ltr',
        styleOptions: styleOptions(),
        // Each message in its own direction (dir=auto: from its first letter), so an English answer
        // keeps its left-to-right lists in an Arabic page, and an Arabic one its right-to-left.
        renderMarkdown: (markdown, ...rest) => `<div class="musaed-message" dir="auto">${window.WebChat.renderMarkdown(markdown, ...rest)}</div>`,
        // Web Chat's own wording replaced where ours reads better (web.json → webChat).
        overrideLocalizedStrings: { ...(state.strings[state.lang].webChat || {}), TEXT_INPUT_PLACEHOLDER: s('placeholder') },
      },
      $('webchat'),
    );
  }

  /** The page (and Web Chat) in this language; the bot is told when tellBot. */
  function setLanguage(lang, tellBot) {
    if (lang === state.lang) return;
    state.lang = lang;
    localStorage.setItem(LANG_KEY, state.lang);
    applyStrings();
    if (!state.store) return;
    render();
    // The language's own name is a language command the bot understands ("English", "العربية").
    // Sent as a post back, so it reaches the bot without showing in the transcript.
    if (tellBot) state.store.dispatch({ type: 'WEB_CHAT/SEND_POST_BACK', payload: { value: state.strings[state.lang].languageName } });
  }

  /** Web Chat store middleware: the bot's messages hide the welcome and set the page's language. */
  const followBot = () => (next) => (action) => {
    const activity = action.type === 'DIRECT_LINE/INCOMING_ACTIVITY' ? action.payload && action.payload.activity : null;
    if (activity && activity.type === 'message' && activity.from && activity.from.role === 'bot') {
      hideWelcome();
      const lang = langOf(activity.locale);
      if (lang) {
        // The latest bot message wins: a replayed history holds older messages in other languages,
        // and each is handled before the timer runs. After this action, so the message renders
        // before Web Chat re-renders.
        state.botLang = lang;
        setTimeout(() => {
          if (state.botLang && state.botLang !== state.lang) setLanguage(state.botLang, false);
        });
      }
    }
    return next(action);
  };

  /** "New chat" asks first: the current conversation cannot be brought back to this page. */
  function confirmNewChat() {
    const dialog = $('confirm-new');
    dialog.returnValue = '';
    dialog.showModal();
  }

  function newChat() {
    clearTimeout(state.refreshTimer);
    sessionStorage.removeItem(SESSION_KEY);
    location.reload();
  }

  /** Adds the Web Chat bundle (already downloading: the page preloads it). */
  function loadWebChat() {
    if (window.WebChat) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = document.querySelector('script[data-webchat-bundle]').dataset.webchatBundle;
      script.onload = () => (window.WebChat ? resolve() : reject(new Error('no WebChat')));
      script.onerror = () => reject(new Error('Web Chat did not load'));
      document.head.append(script);
    });
  }

  async function start() {
    fitVisualViewport();
    const webChat = loadWebChat();
    webChat.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
    const session = openSession();
    session.catch(() => {});
    const [ar, en] = await Promise.all(['ar', 'en'].map((lang) => fetch(`/chat/strings/${lang}`).then((r) => r.json())));
    state.strings = { ar, en };
    applyStrings();
    $('lang').addEventListener('click', () => setLanguage(state.lang === 'ar' ? 'en' : 'ar', true));
    $('new-chat').addEventListener('click', confirmNewChat);
    $('confirm-new').addEventListener('close', () => {
      if ($('confirm-new').returnValue === 'confirm') newChat();
    });

    await connect(session, webChat);
  }

  /**
   * Opens (or resumes) the stored token's conversation and renders Web Chat on it. The first call
   * gets the session and bundle already on their way; a restart opens the session again.
   */
  async function connect(session = openSession(), webChat = loadWebChat()) {
    let saved;
    try {
      [saved] = await Promise.all([session, webChat]);
    } catch {
      return showStatus('connectFailed');
    }
    scheduleRefresh(saved);
    // No conversationId: the token names its conversation, and POST /conversations with it
    // resumes that conversation (replayed from the start) or starts it, whichever applies.
    // The server closes a conversation's sockets with 4404 once it no longer has it (its data
    // was lost): start it again once with the same token, and the bot says what happened.
    const restart = () => {
      if (state.restarted) return;
      state.restarted = true;
      subscription.unsubscribe();
      directLine.end();
      connect();
    };
    const NativeSocket = window.WebSocket;
    class WatchedSocket extends NativeSocket {
      constructor(url, protocols) {
        super(url, protocols);
        this.addEventListener('close', (event) => {
          if (event.code === 4404) setTimeout(restart);
        });
      }
    }
    // Web Chat's createDirectLine does not pass a WebSocket class on; DirectLine takes the
    // global one when it is made, so it is swapped for that moment only.
    window.WebSocket = WatchedSocket;
    let directLine;
    try {
      directLine = window.WebChat.createDirectLine({
        domain: DOMAIN,
        token: saved.token,
        webSocket: true,
        conversationStartProperties: { locale: LOCALES[state.lang] },
      });
    } finally {
      window.WebSocket = NativeSocket;
    }
    state.directLine = directLine;
    let online = false;
    const subscription = directLine.connectionStatus$.subscribe((status) => {
      if (status === STATUS.online) {
        showStatus(null);
        if (online) return;
        online = true;
        // Once under way, the stored token is refreshed: the new one says the conversation has
        // started, so if the server ever loses it, coming back is told, not silently begun again.
        tokenCall('refresh', saved.token).then((body) => scheduleRefresh((saved = saveSession(body)))).catch(() => undefined);
      } else if (status === STATUS.ended && online && !state.restarted) {
        restart(); // the same, told by a 404 (polling)
      } else if (status === STATUS.failedToConnect || status === STATUS.expiredToken || status === STATUS.ended) {
        showStatus('connectFailed');
      }
    });
    state.store = window.WebChat.createStore({}, followBot);
    render();
  }

  start().catch(() => showStatus('connectFailed'));
})();
