extension LabScript {
    /// The script's part: the journal panel and the undo of a transaction, dry run first.
    static let journal = #"""
        // The journal: the transactions a native mount keeps, and the undo of one, dry run first.
        function journalMount() {
          return state.mounts.find((mount) => mount.path === byID("journal-mount").value) || null;
        }

        function renderJournalMounts() {
          const select = byID("journal-mount");
          clear(select);
          const withJournal = state.mounts.filter((mount) => mount.journal);
          for (const mount of withJournal) select.append(el("option", { value: mount.path, text: mount.path }));
          byID("journal-refresh").disabled = !withJournal.length;
          if (!withJournal.length) setNote("journal-note", "No mount serves the journal (it is off, or no native mount is configured).");
        }

        async function refreshJournal() {
          const mount = journalMount();
          if (!mount) return;
          const exchange = await send(mount, "GET", mount.journal + "?limit=20", {}, null);
          const table = byID("transactions");
          clear(table);
          if (exchange.status !== 200) {
            showExchange(exchange);
            setNote("journal-note", "The journal was refused: " + exchange.status + " (see the response).", true);
            return;
          }
          state.transactions = (exchange.json && exchange.json.transactions) || [];
          setNote("journal-note", state.transactions.length + " most recent transaction" + (state.transactions.length === 1 ? "" : "s") + " of " + mount.path + ".");
          table.append(el("thead", {}, el("tr", {}, ...["id", "at", "action", "resource", "rows", "undone", ""].map((name) => el("th", { scope: "col", text: name })))));
          const body = el("tbody");
          for (const transaction of state.transactions) {
            const counts = Object.entries(transaction.counts || {}).map(([resource, verbs]) =>
              resource + " " + Object.entries(verbs).map(([verb, count]) => verb + " ×" + count).join(" ")).join(", ");
            const undo = el("button", { type: "button", "data-test": "undo-dryrun", "data-id": transaction.id, text: "Undo…" });
            undo.disabled = Boolean(transaction.undoneBy) || transaction.action === "undo" || transaction.complete === false;
            undo.addEventListener("click", () => run(() => undoDryRun(mount, transaction.id)));
            const details = el("button", { type: "button", "data-test": "transaction-details", "data-id": transaction.id, text: "Rows" });
            details.addEventListener("click", () => run(() => transactionDetails(mount, transaction.id)));
            body.append(el("tr", { "data-test": "transaction", "data-id": transaction.id },
              el("td", { class: "mono", text: transaction.id }), el("td", { text: transaction.at || "" }), el("td", { text: transaction.action || "" }),
              el("td", { text: transaction.resource || "" }), el("td", { text: counts }),
              el("td", { text: transaction.undoneBy ? "by " + transaction.undoneBy : (transaction.undoOf ? "undoes " + transaction.undoOf : "") }),
              el("td", {}, details, " ", undo)));
          }
          table.append(body);
        }

        function transactionPath(mount, id) {
          return mount.journal + "/" + encodePart(id);
        }

        async function transactionDetails(mount, id) {
          const exchange = await send(mount, "GET", transactionPath(mount, id), {}, null);
          showExchange(exchange);
          const box = byID("undo");
          box.hidden = false;
          byID("undo-title").textContent = "Transaction " + id;
          state.undoID = null;
          byID("undo-confirm").disabled = true;
          if (exchange.status === 200) drawTree(byID("undo-tree"), exchange.json, mount, "What it touched, as the journal kept it.");
        }

        async function undoDryRun(mount, id) {
          const exchange = await send(mount, "POST", transactionPath(mount, id) + "/undo?dryrun", {}, null);
          showExchange(exchange);
          const box = byID("undo");
          box.hidden = false;
          byID("undo-title").textContent = "Undo of " + id + ": dry run";
          if (exchange.status === 200) {
            drawTree(byID("undo-tree"), exchange.json, mount, "Dry run: this is what the undo would put back. Nothing changed yet.");
            state.undoID = id;
            byID("undo-confirm").disabled = false;
            byID("undo-confirm").focus();
          } else {
            clear(byID("undo-tree"));
            byID("undo-tree").append(el("p", { class: "error", "data-test": "undo-refused", text: "The undo would be refused: " + exchange.status + " (see the response)." }));
            state.undoID = null;
            byID("undo-confirm").disabled = true;
          }
        }

        async function undoConfirm() {
          const mount = journalMount();
          const id = state.undoID;
          if (!mount || !id) return;
          const exchange = await send(mount, "POST", transactionPath(mount, id) + "/undo", {}, null);
          showExchange(exchange);
          byID("undo-confirm").disabled = true;
          state.undoID = null;
          if (exchange.status === 200) {
            byID("undo-title").textContent = "Undo of " + id + ": done";
            drawTree(byID("undo-tree"), exchange.json, mount, "Put back." + (exchange.json && exchange.json.transaction ? " Transaction " + exchange.json.transaction + "." : ""));
          }
          await refreshJournal();
        }

        """#
}
