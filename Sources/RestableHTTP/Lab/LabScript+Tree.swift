extension LabScript {
    /// The script's part: a delete's summary drawn as the tree of rows it touched.
    static let tree = #"""
        // A delete's summary as the tree of rows it touched: the addressed row at the root, the rows
        // its cascades deleted under their parent, the rows a set-null detached under the row that
        // went. The parent of a row is found by the relationships (mounts.json): the child's foreign
        // key holds the parent's key.
        function summaryEntries(body) {
          if (!body || typeof body !== "object") return null;
          if (Array.isArray(body.entries)) {
            const entries = [];
            for (const entry of body.entries) {
              for (const row of entry.rows || []) entries.push(entryOf(row, entry.resource, entry.action));
            }
            return entries;
          }
          if (Array.isArray(body.txsummary)) return body.txsummary.map((row) => entryOf(row, null, null));
          return null;
        }

        function entryOf(row, resource, verb) {
          const metadata = row["@metadata"] || {};
          const values = {};
          for (const [name, value] of Object.entries(row)) if (name !== "@metadata") values[name] = value;
          return { resource: resource || metadata.resource, verb: verb || metadata.verb, href: metadata.href, checksum: metadata.checksum, values, children: [], parent: null, via: null };
        }

        const same = (a, b) => a !== undefined && b !== undefined && a !== null && b !== null && String(a) === String(b);

        function entryKey(entry, mount) {
          const key = mount.keys[entry.resource];
          if (key && key.length && key.every((column) => column in entry.values)) return key.map((column) => show(entry.values[column])).join(",");
          if (entry.href) {
            const last = entry.href.split("?")[0].split("/").pop();
            try { return decodeURIComponent(last); } catch (error) { return last; }
          }
          return "?";
        }

        // Links each entry to the entry it came from; returns the roots.
        function buildTree(entries, mount) {
          const expected = { DELETE: "cascade", UPDATE: "setNull" };
          for (const entry of entries) {
            let found = null;
            for (const relationship of mount.relationships) {
              if (relationship.child !== entry.resource) continue;
              const parent = entries.find((candidate) => candidate !== entry && candidate.resource === relationship.parent && candidate.verb !== "UPDATE" &&
                relationship.columns.every((column, index) => same(entry.values[column], candidate.values[relationship.parentColumns[index]])));
              if (!parent || isAncestor(entry, parent)) continue;
              const match = { parent, relationship };
              if (!found || (expected[entry.verb] === relationship.onDelete && expected[entry.verb] !== found.relationship.onDelete)) found = match;
            }
            if (found) {
              entry.parent = found.parent;
              entry.via = found.relationship;
              found.parent.children.push(entry);
            }
          }
          return entries.filter((entry) => !entry.parent);
        }

        function isAncestor(entry, candidate) {
          for (let node = candidate; node; node = node.parent) if (node === entry) return true;
          return false;
        }

        function countsLine(entries) {
          const counts = new Map();
          for (const entry of entries) {
            const name = entry.resource + " " + entry.verb;
            counts.set(name, (counts.get(name) || 0) + 1);
          }
          return entries.length + " row" + (entries.length === 1 ? "" : "s") + ": " + Array.from(counts, ([name, count]) => name + " ×" + count).join(", ");
        }

        function treeList(nodes, mount, depth) {
          const list = el("ul", { role: depth === 0 ? "tree" : "group" });
          for (const entry of nodes) {
            const action = entry.via ? entry.via.onDelete : "root";
            const values = Object.entries(entry.values).map(([name, value]) => name + ": " + show(value)).join(", ");
            const node = el("span", { class: "node" },
              el("span", { class: "verb verb-" + entry.verb, "data-test": "tree-verb", text: entry.verb }),
              el("span", { "data-test": "tree-resource", text: entry.resource }),
              el("strong", { "data-test": "tree-key", text: entryKey(entry, mount) }),
              entry.via ? el("span", { class: "via", "data-test": "tree-via", text: (entry.verb === "INSERT" ? "under its parent by " : "via " + entry.via.onDelete + " on ") + entry.via.columns.join(", ") }) : null,
              el("span", { class: "values", text: values }));
            const item = el("li", { role: "treeitem", "aria-expanded": entry.children.length ? "true" : null, "data-test": "tree-node",
              "data-resource": entry.resource, "data-key": entryKey(entry, mount), "data-verb": entry.verb, "data-action": action, "data-depth": depth }, node);
            if (entry.children.length) item.append(treeList(entry.children, mount, depth + 1));
            list.append(item);
          }
          return list;
        }

        // Draws the summary of `body` into `box`, with a heading line; false when it has none.
        function drawTree(box, body, mount, heading) {
          clear(box);
          const entries = summaryEntries(body);
          box.append(el("p", { class: "note", "data-test": "tree-heading", text: heading }));
          if (entries === null) {
            const counts = body && body.counts ? " Counts: " + JSON.stringify(body.counts) + "." : "";
            box.append(el("p", { class: "note", "data-test": "tree-empty", text: "This answer lists no rows (no summary in its body)." + counts }));
            return false;
          }
          if (!entries.length) {
            box.append(el("p", { class: "note", "data-test": "tree-empty", text: "No row was touched." }));
            return true;
          }
          const roots = buildTree(entries, mount);
          box.append(el("p", { class: "counts", "data-test": "tree-counts", text: countsLine(entries) }));
          box.append(treeList(roots, mount, 0));
          if (body.txsummaryTruncated) box.append(el("p", { class: "note", text: "The summary was truncated (server.maxSummaryRows); the counts are complete." }));
          return true;
        }

        function renderSummary(exchange, mount) {
          const body = exchange.json;
          const dryRun = Boolean(body && (body.dryRun || (body.payload && body.payload.dryRun)));
          if (dryRun) {
            const preview = body.preview || exchange.headers.get("ETag");
            const box = byID("tree-before");
            drawTree(box, body, mount, "Dry run: nothing changed." + (preview ? " Preview " + preview + "." : ""));
            if (preview && mount.dialect === "native" && body.preview) {
              const commit = el("button", { type: "button", "data-test": "use-preview", text: "Delete exactly these rows (If-Match: the preview)" });
              commit.addEventListener("click", () => {
                byID("override").checked = false;
                byID("checksum").value = body.preview;
                byID("checksum-as").value = "header";
                byID("dryrun").checked = false;
                updatePreview();
                byID("send").focus();
              });
              box.append(el("div", { class: "row" }, commit));
            }
          } else {
            const transaction = (body && body.transaction) || exchange.headers.get("Restable-Transaction");
            drawTree(byID("tree-after"), body, mount, "Deleted." + (transaction ? " Transaction " + transaction + "." : ""));
          }
        }

        """#
}
