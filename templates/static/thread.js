// The officer's keyboard and reply box (served from /static: no inline scripts).
// Shortcuts: j/k next/previous conversation (or row in the inbox), o take over, r reply,
// n note, b hand back, ? help. Not while typing in a field. The reply box fills canned replies
// and shows the SMS size as the sender counts it (domain/sms.py, asked from the server).
(function () {
  const $ = id => document.getElementById(id);
  function typingInField(e) {
    const el = e.target;
    return el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  }
  function toggleHelp() {
    const help = $("help"), button = $("show-help");
    if (!help) return;
    help.hidden = !help.hidden;
    if (button) button.setAttribute("aria-expanded", String(!help.hidden));
    if (!help.hidden) { help.setAttribute("tabindex", "-1"); help.focus(); }
  }
  function moveRow(step) {
    const links = Array.from(document.querySelectorAll("#threads tr.thread a.open-thread"));
    if (!links.length) return false;
    const at = links.indexOf(document.activeElement);
    const next = links[Math.max(0, Math.min(links.length - 1, at + step))] || links[0];
    next.focus();
    return true;
  }
  document.addEventListener("keydown", e => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typingInField(e)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    const click = id => { const el = $(id); if (el && !el.hidden) { el.click(); return true; } return false; };
    const focus = id => { const el = $(id); if (el) { el.focus(); return true; } return false; };
    let done = false;
    switch (e.key) {
      case "j": done = moveRow(1) || click("next-thread"); break;
      case "k": done = moveRow(-1) || click("prev-thread"); break;
      case "o": done = click("take-over"); break;
      case "b": done = click("hand-back"); break;
      case "r": done = focus("reply-text"); break;
      case "n": done = focus("note-text"); break;
      case "?": toggleHelp(); done = true; break;
    }
    if (done) e.preventDefault();
  });
  const helpButton = $("show-help");
  if (helpButton) helpButton.addEventListener("click", toggleHelp);

  const form = $("reply-form");
  if (!form) return;
  const text = $("reply-text"), size = $("sms-size"), canned = $("canned");
  const csrf = form.dataset.csrf;
  function showSize(found) {
    if (!size || !found) return;
    size.textContent = size.dataset.label.replace("{encoding}", found.encoding).replace("{units}", found.units)
      .replace("{segments}", found.segments);
  }
  let timer = null;
  async function measure() {
    const body = new URLSearchParams({text: text.value, csrf: csrf});
    const response = await fetch(form.dataset.sizeUrl, {method: "POST", body: body, credentials: "same-origin",
                                                         headers: {"X-CSRF-Token": csrf}});
    if (response.ok) showSize(await response.json());
  }
  text.addEventListener("input", () => {
    window.herinneringTypingAt = Date.now();
    clearTimeout(timer);
    timer = setTimeout(measure, 250);
  });
  if (canned) canned.addEventListener("change", async () => {
    if (!canned.value) return;
    const body = new URLSearchParams({name: canned.value, csrf: csrf});
    const response = await fetch(form.dataset.cannedUrl, {method: "POST", body: body, credentials: "same-origin",
                                                          headers: {"X-CSRF-Token": csrf}});
    if (response.ok) {
      const data = await response.json();
      text.value = data.text;
      showSize(data.size);
      text.focus();
    }
  });
  measure();
})();
