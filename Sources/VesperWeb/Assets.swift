import HTTPTypes
import Hummingbird
import NIOCore

/// The dashboard's stylesheet and its one script, compiled into the binary: no CDN, no build step.
enum Assets {
    static func response(_ text: String, contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "public, max-age=300"
        DashboardResponse.securityHeaders(&headers)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// Refreshes the parts of a page marked `data-live` (each with an `id`) every five seconds by
    /// fetching the page again; everything works without it. Pauses while the tab is hidden.
    static let javascript = #"""
        "use strict";
        (function () {
          var INTERVAL = 5000;
          function live() { return document.querySelectorAll("[data-live][id]"); }
          if (!window.fetch || !window.DOMParser || live().length === 0) { return; }
          function refresh() {
            if (document.hidden) { return; }
            fetch(window.location.href, { credentials: "same-origin", headers: { "X-Vesper-Refresh": "1" } })
              .then(function (response) {
                if (!response.ok || response.redirected) { throw new Error("status " + response.status); }
                return response.text();
              })
              .then(function (text) {
                var fresh = new DOMParser().parseFromString(text, "text/html");
                live().forEach(function (element) {
                  var replacement = fresh.getElementById(element.id);
                  if (replacement) { element.replaceWith(document.importNode(replacement, true)); }
                });
                document.documentElement.setAttribute("data-refreshed", String(Date.now()));
              })
              .catch(function () { /* keep the page as it is; the next tick tries again */ });
          }
          window.setInterval(refresh, INTERVAL);
        })();
        """#

    static let css = """
        :root { --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg: #f6f7f9; --card: #fff; --accent: #2f5bd3;
          --done: #2e9e5b; --failed: #d2433b; --warn: #b7791f; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
        header { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #1d2330; color: #fff; }
        header a { color: #cfd6e6; text-decoration: none; }
        header a.brand { color: #fff; font-weight: 700; font-size: 16px; }
        header nav { display: flex; gap: 16px; flex: 1; }
        header nav a[aria-current] { color: #fff; border-bottom: 2px solid #fff; }
        header .account { color: #cfd6e6; }
        main { padding: 20px 24px; max-width: 1280px; }
        main.narrow { max-width: 420px; margin: 60px auto; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
        h1 { font-size: 20px; margin: 0 0 16px; }
        h2 { font-size: 16px; margin: 24px 0 8px; }
        a { color: var(--accent); }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap: 12px; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
        .card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        .card .value { font-size: 22px; font-weight: 600; }
        .card a { color: inherit; text-decoration: none; }
        table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); }
        th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #eef0f4; font-weight: 600; font-size: 12px; color: var(--muted); }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.error { color: var(--failed); max-width: 360px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
        pre { background: var(--card); border: 1px solid var(--line); padding: 10px; overflow: auto; max-height: 480px; white-space: pre-wrap; word-break: break-word; }
        .tabs { display: flex; gap: 4px; flex-wrap: wrap; margin-bottom: 12px; }
        .tabs a { padding: 6px 10px; border: 1px solid var(--line); border-radius: 4px; background: var(--card); text-decoration: none; color: var(--fg); }
        .tabs a[aria-current] { background: var(--accent); color: #fff; border-color: var(--accent); }
        .tabs .count { color: inherit; opacity: .75; margin-left: 4px; }
        form.filters { display: flex; gap: 8px; flex-wrap: wrap; align-items: end; margin-bottom: 12px; }
        form.filters label, form.stack label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
        form.stack { display: flex; flex-direction: column; gap: 10px; max-width: 560px; }
        input, select, textarea { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
        textarea { font-family: ui-monospace, monospace; min-height: 120px; }
        button { font: inherit; padding: 4px 12px; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
        button.secondary { background: #fff; color: var(--accent); }
        button.danger { background: var(--failed); border-color: var(--failed); }
        form.inline { display: inline; }
        .notice { background: #e8f3ec; border: 1px solid #b9dcc6; padding: 8px 12px; border-radius: 4px; }
        .error h1 { color: var(--failed); }
        .muted { color: var(--muted); }
        .status { padding: 1px 6px; border-radius: 3px; font-size: 12px; background: #eef0f4; }
        .status.done { background: #e3f4ea; color: var(--done); }
        .status.failed, .status.dlq { background: #fbe9e8; color: var(--failed); }
        .status.processing { background: #e7edfb; color: var(--accent); }
        .status.scheduled { background: #fdf3e1; color: var(--warn); }
        .paused { color: var(--warn); font-weight: 600; }
        dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; background: var(--card); border: 1px solid var(--line); padding: 12px; }
        dl.fields dt { color: var(--muted); }
        dl.fields dd { margin: 0; }
        .actions { display: flex; gap: 8px; margin: 12px 0; }
        .chart { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
        .chart svg { width: 100%; height: auto; display: block; }
        .chart .legend { font-size: 12px; color: var(--muted); }
        .chart .legend .done { color: var(--done); } .chart .legend .failed { color: var(--failed); }
        .paging { margin-top: 12px; display: flex; gap: 12px; }
        """
}
