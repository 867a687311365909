/// The REST Lab's HTML: the panels the script fills in. No inline script or style (the
/// Content-Security-Policy forbids both); every control has a label, an id and a `data-test`
/// name that the browser test uses.
enum LabPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Restable REST Lab</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/lab/lab.css">
        <script src="/lab/lab.js" defer></script>
        </head>
        <body>
        <header class="top">
          <h1>Restable REST Lab</h1>
          <p id="lab-status" data-test="lab-status" role="status" aria-live="polite">Loading the mounts…</p>
        </header>
        <main>
        <section id="where" aria-labelledby="where-title">
          <h2 id="where-title">Mount and resource</h2>
          <div class="row">
            <label for="mount">Mount</label>
            <select id="mount" data-test="mount"></select>
            <label for="resource">Resource</label>
            <select id="resource" data-test="resource"></select>
            <a id="openapi-link" data-test="openapi-link" href="#">openapi.json</a>
          </div>
          <div id="auth" data-test="auth" class="auth"></div>
        </section>

        <section id="browse" aria-labelledby="browse-title">
          <h2 id="browse-title">Browse</h2>
          <div id="filters" data-test="filters"></div>
          <div class="row">
            <button type="button" id="add-filter" data-test="add-filter">Add a filter</button>
            <label for="limit">Limit</label>
            <input id="limit" data-test="limit" type="number" min="0" max="1000" value="20" inputmode="numeric">
            <label for="offset">Offset</label>
            <input id="offset" data-test="offset" type="number" min="0" value="0" inputmode="numeric">
            <button type="button" id="browse-go" data-test="browse" class="primary">Browse</button>
            <button type="button" id="browse-prev" data-test="browse-prev">Previous page</button>
            <button type="button" id="browse-next" data-test="browse-next">Next page</button>
          </div>
          <p id="browse-note" data-test="browse-note" class="note" role="status" aria-live="polite"></p>
          <div class="scroll"><table id="rows" data-test="rows"></table></div>
        </section>

        <section id="composer" aria-labelledby="composer-title">
          <h2 id="composer-title">Request</h2>
          <div class="row">
            <label for="method">Method</label>
            <select id="method" data-test="method">
              <option value="GET">GET</option><option value="POST">POST</option><option value="PATCH">PATCH</option><option value="DELETE">DELETE</option>
            </select>
            <label for="target">Target</label>
            <select id="target" data-test="target">
              <option value="row">one row (its key)</option>
              <option value="collection">the resource (the browse filters)</option>
            </select>
          </div>
          <fieldset id="key-fields" data-test="key-fields"><legend>Key</legend></fieldset>
          <label for="body">Body (JSON)</label>
          <textarea id="body" data-test="body" rows="4" spellcheck="false"></textarea>
          <fieldset id="options" class="options">
            <legend>Options</legend>
            <div class="row">
              <label for="checksum">Checksum</label>
              <input id="checksum" data-test="checksum" size="22" spellcheck="false" autocomplete="off">
              <label for="checksum-as">sent as</label>
              <select id="checksum-as" data-test="checksum-as">
                <option value="header">If-Match header</option>
                <option value="query">?checksum=</option>
              </select>
              <input type="checkbox" id="override" data-test="override">
              <label for="override">override (<code>If-Match: *</code>, <code>checksum=override</code>)</label>
            </div>
            <div class="row">
              <input type="checkbox" id="ignoredeleted" data-test="ignoredeleted">
              <label for="ignoredeleted">ignoredeleted</label>
              <label for="handling">Handling</label>
              <select id="handling" data-test="handling">
                <option value="">(default)</option><option value="strict">strict</option><option value="lenient">lenient</option>
              </select>
              <label for="max-affected">max-affected</label>
              <input id="max-affected" data-test="max-affected" type="number" min="0" inputmode="numeric" size="6">
            </div>
            <div class="row">
              <input type="checkbox" id="dryrun" data-test="dryrun">
              <label for="dryrun">dry run</label>
              <label for="dryrun-as">as</label>
              <select id="dryrun-as" data-test="dryrun-as">
                <option value="query">?dryrun</option>
                <option value="prefer">Prefer: tx=rollback</option>
              </select>
            </div>
            <p id="options-note" data-test="options-note" class="note"></p>
          </fieldset>
          <div class="row">
            <button type="button" id="send" data-test="send" class="primary">Send</button>
          </div>
          <pre id="request-preview" data-test="request-preview" class="preview" aria-label="The request to send"></pre>
        </section>

        <section id="answer" aria-labelledby="answer-title">
          <h2 id="answer-title">Response</h2>
          <p id="response-status" data-test="response-status" role="status" aria-live="polite">No request sent yet.</p>
          <div id="problem" data-test="problem" class="problem" hidden></div>
          <details id="response-headers-box" open>
            <summary>Headers</summary>
            <table id="response-headers" data-test="response-headers"></table>
          </details>
          <pre id="response-body" data-test="response-body" class="body"></pre>
        </section>

        <section id="trees" aria-labelledby="trees-title">
          <h2 id="trees-title">What a delete touches</h2>
          <div class="trees">
            <div>
              <h3>Before: the dry run</h3>
              <div id="tree-before" data-test="tree-before" class="tree"><p class="note">No dry run yet.</p></div>
            </div>
            <div>
              <h3>After: the delete</h3>
              <div id="tree-after" data-test="tree-after" class="tree"><p class="note">No delete yet.</p></div>
            </div>
          </div>
        </section>

        <section id="journal" aria-labelledby="journal-title">
          <h2 id="journal-title">Journal</h2>
          <div class="row">
            <label for="journal-mount">Journal of</label>
            <select id="journal-mount" data-test="journal-mount"></select>
            <button type="button" id="journal-refresh" data-test="journal-refresh">Refresh</button>
          </div>
          <p id="journal-note" data-test="journal-note" class="note" role="status" aria-live="polite"></p>
          <div class="scroll"><table id="transactions" data-test="transactions"></table></div>
          <div id="undo" data-test="undo" class="undo" hidden>
            <h3 id="undo-title" data-test="undo-title"></h3>
            <div id="undo-tree" data-test="undo-tree" class="tree"></div>
            <button type="button" id="undo-confirm" data-test="undo-confirm" class="danger">Undo it</button>
          </div>
        </section>
        </main>
        </body>
        </html>

        """#
}
