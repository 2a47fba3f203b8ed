// 叮当音箱模拟器：the sandbox console's page. It draws what a person would
// see and hear at a speaker from the skill's raw responses, and plays the
// platform's parts with the console's /sandbox/... endpoints. No build step,
// nothing from outside: plain DOM calls, and text is only ever set as text.
'use strict';

const KIND_LABEL = { screened: '有屏音箱', screenless: '无屏音箱', app: '叮当App' };
const PLATFORM_LABEL = { NOTPAY: '平台：待支付', SUCCESS: '平台：已付款', REFUSED: '平台：用户未付款' };
const SHIP_REPLY = { SUCCESS: '：技能已确认', FAIL: '：技能回复失败' };

let meta = { kinds: [], users: [], utterances: [], answers: [], skillURL: '' };
let state = null;
let kind = 'screened';
let busy = false;
const openTurns = new Set();

const $ = (id) => document.getElementById(id);

// el builds an element: attrs are properties (class → className, data-x →
// attributes), children strings become text nodes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-') || k === 'role' || k === 'title' || k === 'alt') e.setAttribute(k, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e[k] = v;
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function yuan(fen) {
  return (fen / 100).toFixed(2).replace(/\.?0+$/, '') + '元';
}

function clock(iso) {
  const d = new Date(iso);
  return isNaN(d) ? '' : d.toLocaleTimeString('zh-CN', { hour12: false });
}

function user() {
  return $('user').value.trim() || 'alice';
}

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  };
  const r = await fetch(path, opts);
  const j = await r.json();
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

// --- the speaker ---------------------------------------------------------

// parts picks out of a raw response what a speaker does with it.
function parts(resp) {
  const out = { speech: '', end: true, template: null, audio: null, charge: null, elicit: null, card: null };
  if (!resp || !resp.response) return out;
  const r = resp.response;
  out.speech = (r.outputSpeech && r.outputSpeech.text) || '';
  out.end = r.shouldEndSession !== false;
  out.card = r.card || null;
  for (const d of r.directives || []) {
    switch (d.type) {
      case 'Display.RenderTemplate': out.template = d.template; break;
      case 'AudioPlayer.Play': out.audio = (d.playlist || [])[0] || null; break;
      case 'Connections.SendRequest': out.charge = d.payload && d.payload.chargeInfo; break;
      case 'Dialog.ElicitSlot': out.elicit = d.slotToElicit; break;
    }
  }
  return out;
}

// local reports whether an image can be shown offline: it is served by the
// skill or this page. Anything else is drawn as a labelled placeholder.
function local(url) {
  return !!url && (url.startsWith(meta.skillURL + '/') || url.startsWith(location.origin + '/') || url.startsWith('/'));
}

function image(img, cls) {
  const url = img && img.source && img.source.url;
  if (!url) return null;
  if (local(url)) return el('img', { class: cls, src: url, alt: img.contentDescription || '图片' });
  const name = url.replace(/^[a-z]+:\/\//, '');
  return el('div', { class: 'placeholder', title: url }, '图片（离线不加载）', el('br'), name);
}

function renderTemplate(t, p) {
  const type = (t.type || '').trim();
  const tc = t.textContent || {};
  if (type === 'HorizontialListTemplate') {
    return el('div', { class: 'list' },
      el('div', { class: 'list-title' }, t.title || '点选一项'),
      el('div', { class: 'list-items' }, (t.listItems || []).map((li) => {
        const x = li.textContent || {};
        return el('button', {
          class: 'list-item', 'data-token': li.token, title: '点选：Display.ElementSelected ' + li.token,
          onclick: () => act('/sandbox/say', { request: 'element-selected', token: li.token }),
        }, image(li.image) || el('div', { class: 'placeholder' }, x.title || li.token),
        el('div', { class: 't' }, x.title || li.token), el('div', { class: 'd' }, x.description || ''));
      })));
  }
  const pay = !!p.charge;
  const success = type === 'NewsBodyTemplate1' && /成功/.test(tc.title || '');
  const pic = image(t.backgroundImage, pay ? 'qr' : 'bg');
  return el('div', { class: 'tpl' + (pay ? ' paycard' : '') + (success ? ' success' : ''), 'data-template': type },
    el('div', { class: 'tpl-text' },
      el('div', { class: 'tpl-kind' }, pay ? '订单确认 · ' + type : type),
      el('div', { class: 'tpl-title' }, tc.title || t.title || ''),
      el('div', { class: 'tpl-desc' }, tc.description || '')),
    pic ? el('div', { class: 'tpl-image' }, pic, pay ? el('div', { class: 'caption' }, '手机扫码：订单与售后') : null) : null);
}

function renderScreen(sp, p) {
  if (!sp || !sp.response) {
    const now = new Date();
    return el('div', { class: 'idle' },
      el('div', { class: 'clock' }, now.toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false })),
      el('div', { class: 'tip' }, '试着说：“有什么可以买”'));
  }
  if (p.template) return renderTemplate(p.template, p);
  if (p.audio && p.audio.info) {
    return el('div', { class: 'speechcard' }, el('div', { class: 'big' }, '正在播放：' + p.audio.info.title));
  }
  return el('div', { class: 'speechcard' }, el('div', { class: 'big' }, p.speech), el('div', { class: 'tip' }, '叮当'));
}

function renderDevice() {
  const k = meta.kinds.find((x) => x.name === kind) || { name: kind, display: false };
  const sp = state && state.speakers[kind];
  const p = parts(sp && sp.response);
  const dev = $('device');
  const micOpen = !!(sp && sp.micOpen);
  if (k.display) {
    dev.replaceChildren(el('div', { class: 'device screened', 'data-kind': k.name },
      el('div', { class: 'bezel' }, el('div', { class: 'screen', id: 'screen' }, renderScreen(sp, p))),
      el('div', { class: 'stand' })));
  } else {
    dev.replaceChildren(el('div', { class: 'device screenless', 'data-kind': k.name },
      el('div', { class: 'puck' + (micOpen ? ' listening' : '') }, el('div', { class: 'ring' }), el('div', { class: 'grille' })),
      el('div', { class: 'caption' }, (KIND_LABEL[k.name] || k.name) + '：没有屏幕，只有声音；订单在手机上的叮当App里继续')));
  }
  // The conversation on this speaker: its last turns, newest last.
  const turns = ((state && state.turns) || []).filter((t) => t.device === kind).slice(-6);
  const dialog = [];
  turns.forEach((t, i) => {
    if (t.said) dialog.push(el('div', { class: 'bubble user' }, el('span', { class: 'who' }, '你说'), t.said));
    else dialog.push(el('div', { class: 'sys' }, t.action));
    const a = t.answer;
    if (a && a.heard && a.heard.intent) {
      const slots = Object.entries(a.heard.slots || {}).map(([n, v]) => [' ', el('code', {}, n + '=' + v)]);
      dialog.push(el('div', { class: 'heard' }, '平台理解为 ', el('code', {}, a.heard.intent), slots));
    } else if (a && a.heard && a.heard.request === 'launch') {
      dialog.push(el('div', { class: 'heard' }, '平台理解为 打开技能 ', el('code', {}, 'LaunchRequest')));
    }
    if (t.error) dialog.push(el('div', { class: 'sys bad' }, '出错了：' + t.error));
    const last = i === turns.length - 1;
    if (a && a.speech) {
      dialog.push(el('div', { class: 'bubble speaker', id: last ? 'speech' : undefined }, el('span', { class: 'who' }, '叮当说'), a.speech));
    }
  });
  const failed = turns.length && turns[turns.length - 1].error; // the speaker's last answer is older than the failed turn
  if (sp && sp.response && !failed) {
    const badges = [el('span', { class: 'badge ' + (micOpen ? 'mic-open' : 'mic-closed'), id: 'mic' },
      el('span', { class: 'd' }), micOpen ? '麦克风开着，等你接着说' : '会话结束，麦克风已关闭')];
    if (p.audio) {
      const title = (p.audio.info && p.audio.info.title) || '音频';
      badges.push(el('span', { class: 'badge audio', id: 'audio', title: p.audio.stream.url || '' }, el('span', { class: 'd' }),
        p.audio.pay ? '付费内容：' + title + '（未购买，不播放）' : '即将播放：' + title));
    }
    if (p.charge) badges.push(el('span', { class: 'badge charge' }, el('span', { class: 'd' }), '技能发起收款（Charge）'));
    if (p.card && p.card.type === 'LinkAccount') badges.push(el('span', { class: 'badge' }, '请求绑定账号'));
    dialog.push(el('div', { class: 'status' }, badges));
    if (p.charge) {
      dialog.push(el('div', { class: 'sys' }, k.display
        ? '真机上平台接着显示微信支付页；点左侧“支付”模拟扫码付款'
        : '订单推送到手机上的叮当App；点左侧“支付”模拟在App里付款'));
    }
  }
  if (!dialog.length) dialog.push(el('div', { class: 'sys' }, '点一个常用说法，或在下面输入你想说的话'));
  $('dialog').replaceChildren(...dialog);
  $('dialog').scrollTop = $('dialog').scrollHeight;
  // Answers such as 第二个 make sense only while the skill asks a question.
  $('answers-box').hidden = !(sp && sp.asking && meta.answers.length);
}

// --- the side panel ------------------------------------------------------

// The side panel shows the console's views of the skill's records
// (orderViews, owned): in Chinese, products by name. The raw admin JSON
// (orders, entitlements) is in the state for curl.
function renderOrders() {
  const orders = (state && state.orderViews) || [];
  const placed = new Map(((state && state.placed) || []).map((o) => [o.tradeNo, o]));
  $('orders-count').textContent = orders.length ? '（' + orders.length + '）' : '';
  if (!orders.length) {
    $('orders').replaceChildren(el('div', { class: 'empty' }, state && state.adminError ? '读不到订单：' + state.adminError : '还没有订单'));
    return;
  }
  $('orders').replaceChildren(...orders.map((o) => {
    const pv = placed.get(o.tradeNo);
    return el('div', { class: 'order', 'data-trade': o.tradeNo, 'data-state': o.state },
      el('div', { class: 'order-head' },
        el('span', { class: 'pill ' + o.state, title: o.state }, o.label),
        el('b', {}, yuan(o.totalAmt))),
      el('div', { class: 'order-no' }, o.tradeNo, pv && pv.page ?
        el('a', { class: 'order-page', href: pv.page, target: '_blank', rel: 'noopener', title: '卡片二维码打开的订单页' }, '订单页') : null),
      el('div', { class: 'order-items' }, o.items, o.refundedAmt ? '；已退 ' + yuan(o.refundedAmt) : ''),
      pv ? el('div', { class: 'platform-view' }, (PLATFORM_LABEL[pv.status] || pv.status) +
        (pv.shipNotify ? '，发货通知' + (SHIP_REPLY[pv.shipNotify] || '：技能回复 ' + pv.shipNotify) : '') +
        '（' + (KIND_LABEL[pv.device] || pv.device) + '）') : null,
      el('ol', { class: 'timeline' }, o.history.map((h) =>
        el('li', { class: h.to ? 'move' : 'event' }, el('time', {}, clock(h.at)), h.text,
          h.to ? el('span', { class: 'cause' }, '：' + (h.from ? h.from + ' → ' : '') + h.to) : null))),
      o.refunds.length ? el('div', { class: 'refunds' }, '退款：', o.refunds.map((r) =>
        r.refundTradeNo + ' ' + yuan(r.refundAmt) + ' ' + r.status).join('；')) : null);
  }));
}

function renderEntitlements() {
  const ents = (state && state.owned) || [];
  if (!ents.length) {
    $('entitlements').replaceChildren(el('div', { class: 'empty' }, '没有已购内容'));
    return;
  }
  $('entitlements').replaceChildren(...ents.map((e) => {
    let what = '永久';
    if (e.kind === 'consumable') what = '剩余 ' + e.quantity + ' 个';
    if (e.expiresAt) what = '到期 ' + new Date(e.expiresAt).toLocaleDateString('zh-CN');
    return el('div', { class: 'ent', 'data-product': e.productId }, e.name, el('span', {}, what));
  }));
}

function pretty(s) {
  if (!s) return '（空）';
  try { return JSON.stringify(JSON.parse(s), null, 2); } catch { return s; }
}

function renderTurns() {
  const turns = ((state && state.turns) || []).slice(-60).reverse();
  if (!turns.length) {
    $('turns').replaceChildren(el('div', { class: 'empty' }, '还没有请求'));
    return;
  }
  $('turns').replaceChildren(...turns.map((t) => {
    const d = el('details', { class: 'turn' + (t.error ? ' failed' : ''), open: openTurns.has(t.n), 'data-n': t.n },
      el('summary', {}, el('span', { class: 'n' }, '#' + t.n), el('span', {}, t.action),
        el('span', { class: 'dev' }, (KIND_LABEL[t.device] || t.device) + ' · ' + clock(t.at))),
      el('div', { class: 'body' },
        t.error ? el('div', { class: 'error' }, t.error) : null,
        t.exchanges.length ? null : el('div', { class: 'empty' }, '没有发出请求'),
        t.exchanges.map((x) => el('div', { class: 'ex' },
          el('div', { class: 'ex-head' }, (x.from === 'skill' ? '技能 → 平台 ' : '平台 → 技能 ') + x.method + ' ' + x.path + ' ',
            el('span', { class: 'st' + (x.status === 200 ? '' : ' bad') }, x.error ? x.error : 'HTTP ' + x.status)),
          x.requestAuth ? el('div', { class: 'auth' }, 'Authorization: ' + x.requestAuth) : null,
          el('pre', {}, pretty(x.request)),
          el('div', { class: 'ex-head' }, '回复'),
          x.replyAuth ? el('div', { class: 'auth' }, 'Authorization: ' + x.replyAuth) : null,
          el('pre', {}, pretty(x.reply))))));
    d.addEventListener('toggle', () => (d.open ? openTurns.add(t.n) : openTurns.delete(t.n)));
    return d;
  }));
}

function renderPlatform() {
  const w = state && state.waiting;
  const box = $('waiting');
  box.classList.toggle('active', !!w || !!(state && state.offered));
  if (w) {
    box.replaceChildren('待支付 ', el('b', {}, yuan(w.totalAmt)), '（' + (KIND_LABEL[w.device] || w.device) + '）',
      el('div', { class: 'order-no' }, w.tradeNo));
  }
  else if (state && state.offered) box.textContent = '技能给出了收款（Charge），等待下单';
  else box.textContent = '没有待支付的订单';
  const payable = !!w || !!(state && state.offered);
  $('btn-order').disabled = busy || !(state && state.offered);
  for (const id of ['btn-pay', 'btn-late', 'btn-refuse']) $(id).disabled = busy || !payable;
  $('btn-ship').disabled = busy || !((state && state.placed) || []).some((o) => o.status === 'SUCCESS');
  $('btn-refund').disabled = busy;
  for (const id of ['btn-say', 'btn-launch', 'btn-end']) $(id).disabled = busy;
  // The phrase buttons too: a click while a turn is on its way would be
  // dropped (act runs one step at a time).
  for (const b of document.querySelectorAll('#utterances button, #answers button, #misheard button')) b.disabled = busy;
}

function render() {
  renderDevice();
  renderPlatform();
  renderOrders();
  renderEntitlements();
  renderTurns();
}

// --- actions -------------------------------------------------------------

function speak(text) {
  if (!text || !$('tts').checked || !window.speechSynthesis) return;
  const u = new SpeechSynthesisUtterance(text);
  u.lang = 'zh-CN';
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(u);
}

function showError(msg) {
  const e = $('error');
  e.hidden = !msg;
  e.textContent = msg ? '出错了：' + msg : '';
}

async function refresh() {
  try {
    state = await api('/sandbox/state?user=' + encodeURIComponent(user()));
    render();
  } catch (e) {
    showError('读不到沙箱状态（' + e.message + '）');
  }
}

// act sends one step for the current user and (unless perDevice is false)
// device.
async function act(path, body, perDevice = true) {
  if (busy) return;
  busy = true;
  renderPlatform();
  showError('');
  let failed = '';
  try {
    const a = await api(path, Object.assign({ user: user() }, perDevice ? { device: kind } : {}, body));
    speak(a.speech);
  } catch (e) {
    failed = e.message;
  } finally {
    busy = false;
    await refresh();
  }
  // An error the conversation shows as its turn is not shown twice.
  const ts = (state && state.turns) || [];
  if (failed && !(ts.length && ts[ts.length - 1].error === failed)) showError(failed);
}

function say(text) {
  text = text.trim();
  if (!text) return;
  $('text').value = '';
  act('/sandbox/say', { text, manual: !$('auto').checked });
}

function renderKinds() {
  $('kinds').replaceChildren(...meta.kinds.map((k) => {
    const input = el('input', { type: 'radio', name: 'kind', value: k.name, checked: k.name === kind });
    const label = el('label', { class: 'kind' + (k.name === kind ? ' selected' : ''), 'data-kind': k.name },
      input, el('span', { class: 'icon ' + (k.display ? 'screen-icon' : 'puck-icon') }), KIND_LABEL[k.name] || k.name);
    input.addEventListener('change', () => {
      kind = k.name;
      renderKinds();
      render();
    });
    return label;
  }));
}

async function start() {
  meta = await api('/sandbox/meta');
  if (!meta.kinds.some((k) => k.name === kind) && meta.kinds.length) kind = meta.kinds[0].name;
  $('users').replaceChildren(...meta.users.map((u) => el('option', { value: u })));
  const chip = (u) => el('button', { type: 'button', 'data-say': u, onclick: () => say(u) }, u);
  $('utterances').replaceChildren(...meta.utterances.map(chip));
  $('answers').replaceChildren(...(meta.answers || []).map(chip));
  // Mishearings: what speech recognition wrote, sent as it is, with what
  // the user said beside it.
  $('misheard').replaceChildren(...(meta.misheard || []).map((m) => el('button', {
    type: 'button', 'data-say': m.say, title: '语音识别把“' + m.meant + '”写成了“' + m.say + '”', onclick: () => say(m.say),
  }, m.say, el('small', { class: 'meant' }, '（原话：' + m.meant + '）'))));
  $('misheard-box').hidden = !(meta.misheard || []).length;
  renderKinds();
  $('say-form').addEventListener('submit', (ev) => { ev.preventDefault(); say($('text').value); });
  $('btn-launch').addEventListener('click', () => act('/sandbox/say', { request: 'launch' }));
  $('btn-end').addEventListener('click', () => act('/sandbox/say', { request: 'session-ended' }));
  $('btn-order').addEventListener('click', () => act('/sandbox/order', {}));
  $('btn-pay').addEventListener('click', () => act('/sandbox/pay', {}));
  $('btn-late').addEventListener('click', () => act('/sandbox/pay', { late: true }));
  $('btn-ship').addEventListener('click', () => act('/sandbox/ship-notify', {}));
  $('btn-refuse').addEventListener('click', () => act('/sandbox/refuse', {}));
  $('btn-refund').addEventListener('click', () => act('/sandbox/refund-notify', { device: undefined }));
  $('btn-link').addEventListener('click', () => act('/sandbox/link', { account: 'acct-' + user() }, false));
  $('user').addEventListener('change', () => { openTurns.clear(); refresh(); });
  await refresh();
  listen();
  setInterval(() => { if (!busy && document.visibilityState === 'visible') refresh(); }, 4000);
  document.body.dataset.ready = 'true';
}

// listen keeps the page live: the console announces every change it makes
// (from this page, curl or the CLI) as a server-sent event; the polling in
// start catches what reaches the skill without the console.
function listen() {
  const live = $('live');
  const es = new EventSource('/sandbox/events');
  es.addEventListener('open', () => { live.dataset.state = 'open'; $('live-text').textContent = '实时'; });
  es.addEventListener('error', () => { live.dataset.state = 'error'; $('live-text').textContent = '重新连接中…'; });
  es.addEventListener('change', (ev) => {
    if (!busy && (!state || Number(ev.data) !== state.seq)) refresh();
  });
}

start().catch((e) => showError('模拟器启动失败：' + e.message));
