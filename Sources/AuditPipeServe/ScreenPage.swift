/// The screen's HTML page (served at `/`); its script and style are separate files so the content security
/// policy can forbid inline code.
enum ScreenPage {
    /// The page.
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>auditpipe — audit screen</title>
        <link rel="stylesheet" href="/app.css">
        <script src="/app.js" defer></script>
        </head>
        <body>
        <header>
          <h1>auditpipe</h1>
          <nav>
            <a href="?tab=events" id="tab-events" data-tab="events">Events</a>
            <a href="?tab=activity" id="tab-activity" data-tab="activity">Activity</a>
            <a href="?tab=webhooks" id="tab-webhooks" data-tab="webhooks">Triggers &amp; webhooks</a>
          </nav>
          <span id="me"></span>
        </header>
        <form id="filters" autocomplete="off">
          <label>User <input name="user" id="f-user"></label>
          <label>Action <input name="action" id="f-action"></label>
          <label>Entity type <input name="etype" id="f-etype"></label>
          <label>Access <select name="kind" id="f-kind">
            <option value="">any</option><option>export</option><option>print</option>
            <option>download</option><option>view</option></select></label>
          <label>Outcome <select name="outcome" id="f-outcome">
            <option value="">any</option><option>success</option><option>failure</option>
            <option>error</option><option>unknown</option></select></label>
          <label>Service <input name="service" id="f-service"></label>
          <label>Origin <select name="origin" id="f-origin">
            <option value="">any</option><option>ui</option><option>cli</option><option>api</option>
            <option>webhook</option><option>system</option></select></label>
          <label>Path <input name="path" id="f-path" placeholder="/api/files/*"></label>
          <label>From <input type="date" name="from" id="f-from"> <input type="time" name="fromt" id="f-fromt"></label>
          <label>To <input type="date" name="to" id="f-to"> <input type="time" name="tot" id="f-tot"></label>
          <label>Time zone <select name="tz" id="f-tz"></select></label>
          <label>Text <input name="text" id="f-text" placeholder="words in the event"></label>
          <label class="wide">Filter language <input name="expr" id="f-expr" placeholder='outcome.status == 4xx and services contains "reports"'></label>
          <div class="buttons"><button type="submit" id="apply">Apply</button> <button type="button" id="clear">Clear</button></div>
        </form>
        <p class="composed">Filter: <code id="composed">(none)</code></p>
        <pre id="error" hidden></pre>
        <main>
        <section id="list-view">
          <div class="bar">
            <span id="total"></span>
            <button type="button" id="prev">← Previous</button>
            <button type="button" id="next">Next →</button>
            <span class="spacer"></span>
            <a id="export-csv" class="button" hidden>Export CSV</a>
            <a id="export-xlsx" class="button" hidden>Export XLSX</a>
          </div>
          <table id="events">
            <thead><tr><th>Start</th><th>User</th><th>Action</th><th>Entity</th><th>Access</th><th>Status</th><th>Origin</th><th>Path</th><th>Services</th></tr></thead>
            <tbody></tbody>
          </table>
        </section>
        <section id="activity-view" hidden>
          <div class="bar">
            <label>By <select id="a-by"><option value="node">node</option><option value="user">user</option></select></label>
          </div>
          <table id="activity"><thead></thead><tbody></tbody></table>
        </section>
        <aside id="details" hidden>
          <div class="bar"><h2>Event <code id="d-id"></code></h2><span class="spacer"></span><button type="button" id="d-close">Close</button></div>
          <p class="links">
            <a id="show-document" hidden>Show Document</a>
            <a id="show-report" hidden>Show Report</a>
            <button type="button" id="show-request">Whole request</button>
          </p>
          <dl id="d-summary"></dl>
          <div id="d-request" hidden>
            <h3>Whole request <code id="d-rid"></code></h3>
            <table><thead><tr><th>Start</th><th>Action</th><th>Entity</th><th>Status</th><th>Services</th></tr></thead><tbody></tbody></table>
          </div>
          <h3>Whole event</h3>
          <pre id="d-json"></pre>
        </aside>
        </main>
        </body>
        </html>
        """#
}
