// The inbox's live views (served from /static so the Content-Security-Policy needs no inline
// scripts): ask the server for the freshly rendered part, put it in place, ask again.
// <script src="/static/live.js" data-url="/inbox/live.json" data-version="3" data-target="threads"
//         data-keep-query="1"></script>
(function () {
  const script = document.currentScript;
  const url = script.dataset.url;
  const target = script.dataset.target;
  const keepQuery = script.dataset.keepQuery === "1";
  let version = script.dataset.version;
  const pause = () => new Promise(r => setTimeout(r, 2000));
  async function poll() {
    try {
      const params = new URLSearchParams(keepQuery ? window.location.search : "");
      params.set("v", version);
      const response = await fetch(url + "?" + params.toString(), {credentials: "same-origin"});
      if (response.ok) {
        const data = await response.json();
        version = data.version;
        document.getElementById(target).innerHTML = data.html;
        if (data.counts) {
          const unread = document.getElementById("unread");
          if (unread) unread.textContent = data.counts.unread;
          for (const el of document.querySelectorAll("[data-count]")) el.textContent = data.counts[el.dataset.count];
        }
      } else { await pause(); }
    } catch (e) { await pause(); }
    setTimeout(poll, 50);
  }
  poll();
})();
