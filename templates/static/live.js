// The inbox's live views (served from /static so the Content-Security-Policy needs no inline
// scripts): ask the server for the freshly rendered part, change what changed in place (rows
// and messages keep their place and keyboard focus stays where it was), ask again.
// <script src="/static/live.js" data-url="/inbox/live.json" data-version="3" data-target="threads"
//         data-keep-query="1"></script>
(function () {
  const script = document.currentScript;
  const url = script.dataset.url;
  const target = script.dataset.target;
  const keepQuery = script.dataset.keepQuery === "1";
  let version = script.dataset.version;
  const pause = () => new Promise(r => setTimeout(r, 2000));

  function focusKey() {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    return {id: el.id, href: el.getAttribute && el.getAttribute("href"), name: el.getAttribute && el.getAttribute("name")};
  }
  function refocus(key, container) {
    if (!key || container.contains(document.activeElement)) return;
    let el = key.id ? document.getElementById(key.id) : null;
    if (!el && key.href) el = container.querySelector('[href="' + CSS.escape(key.href) + '"]');
    if (el) el.focus({preventScroll: true});
  }
  function fromHtml(html, tag) {
    const holder = document.createElement(tag);
    holder.innerHTML = html;
    return holder;
  }
  // The inbox list: rows by thread id, in the server's order; unchanged rows stay as they are.
  function updateRows(container, rows, html) {
    const key = focusKey();
    const wanted = fromHtml("<table><tbody>" + html + "</tbody></table>", "div").querySelector("tbody");
    const existing = {};
    for (const tr of container.querySelectorAll("tr[data-thread]")) existing[tr.dataset.thread] = tr;
    const next = [];
    for (const tr of wanted.children) {
      const id = tr.dataset && tr.dataset.thread;
      const old = id ? existing[id] : null;
      next.push(old && old.outerHTML === tr.outerHTML ? old : tr);
    }
    const same = next.length === container.children.length && next.every((n, i) => n === container.children[i]);
    if (!same) {
      container.replaceChildren(...next);
      refocus(key, container);
    }
  }
  // A conversation: new messages are appended, changed ones (a state) replaced; nothing else moves.
  function updateMessages(container, html) {
    const wanted = fromHtml(html, "div");
    const existing = {};
    for (const el of container.querySelectorAll("[data-msg]")) existing[el.dataset.msg] = el;
    const fresh = wanted.querySelectorAll("[data-msg]");
    if (!fresh.length) { if (container.innerHTML.trim() !== html.trim()) container.innerHTML = html; return; }
    if (!container.querySelector("[data-msg]")) container.innerHTML = "";
    for (const el of fresh) {
      const old = existing[el.dataset.msg];
      if (!old) container.appendChild(el);
      else if (old.outerHTML !== el.outerHTML) old.replaceWith(el);
    }
  }
  function updateOwner(data) {
    const owner = document.getElementById("owner");
    if (!owner || data.holder_name === undefined) return;
    const holder = data.holder === null || data.holder === undefined ? "" : String(data.holder);
    if (owner.dataset.holder !== holder) {
      owner.dataset.holder = holder;
      owner.textContent = holder ? owner.dataset.officerLabel + ": " + data.holder_name : owner.dataset.botLabel;
      const seen = document.querySelector("#take-over-form input[name=seen_holder]");
      if (seen) seen.value = holder;
      const button = document.getElementById("take-over");
      if (button) {
        button.hidden = !!data.mine;
        button.textContent = holder ? button.dataset.fromLabel + " " + data.holder_name : button.dataset.plainLabel;
      }
      const reply = document.getElementById("send-reply");
      if (reply && !data.mine) {
        reply.disabled = true;
        const lost = document.getElementById("reply-lost");
        if (lost) lost.hidden = false;
      }
    }
    const presence = document.getElementById("presence");
    if (presence && data.others) {
      const parts = data.others.map(o => o.name + (o.typing ? " (" + presence.dataset.typing + ")" : ""));
      const text = parts.length ? presence.dataset.viewing + ": " + parts.join(", ") : "";
      if (presence.textContent !== text) presence.textContent = text;
    }
  }
  async function poll() {
    try {
      const params = new URLSearchParams(keepQuery ? window.location.search : "");
      params.set("v", version);
      if (window.herinneringTypingAt && Date.now() - window.herinneringTypingAt < 5000) params.set("typing", "1");
      const response = await fetch(url + "?" + params.toString(), {credentials: "same-origin"});
      if (response.ok) {
        const data = await response.json();
        version = data.version;
        const container = document.getElementById(target);
        if (data.rows !== undefined) updateRows(container, data.rows, data.html);
        else updateMessages(container, data.html);
        updateOwner(data);
        if (data.counts) {
          const unread = document.getElementById("unread");
          if (unread) unread.textContent = data.counts.unread;
          for (const el of document.querySelectorAll("[data-count]")) el.textContent = data.counts[el.dataset.count];
          document.title = (data.counts.unread ? "(" + data.counts.unread + ") " : "") + document.title.replace(/^\(\d+\) /, "");
        }
      } else { await pause(); }
    } catch (e) { await pause(); }
    setTimeout(poll, 50);
  }
  poll();
})();
