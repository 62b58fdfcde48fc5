// The navigation's counts on every officer page (open tasks, unread messages) and the unread
// count in the tab title; asked again every 15 seconds. Served from /static (no inline scripts).
(function () {
  const base = document.title.replace(/^\(\d+\) /, "");
  async function refresh() {
    try {
      const response = await fetch("/nav.json", {credentials: "same-origin"});
      if (response.ok) {
        const counts = await response.json();
        for (const el of document.querySelectorAll("[data-nav]")) {
          const n = counts[el.dataset.nav];
          el.textContent = n ? String(n) : "";
          el.hidden = !n;
        }
        document.title = (counts.unread ? "(" + counts.unread + ") " : "") + base;
      }
    } catch (e) { /* offline for a moment: the next round tries again */ }
    setTimeout(refresh, 15000);
  }
  refresh();
})();
