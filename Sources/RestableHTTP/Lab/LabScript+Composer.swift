extension LabScript {
    /// The script's part: the request composer and the delete options.
    static let composer = #"""
        // The request composer: method, target, key, body and the delete options, sent as the
        // mount's dialect writes them; the exact request is shown before it goes.
        function renderKeyFields() {
          const box = byID("key-fields");
          for (const old of Array.from(box.querySelectorAll(".row"))) old.remove();
          if (!state.resource) return;
          state.resource.key.forEach((column, index) => {
            const input = el("input", { id: "key-" + index, "data-test": "key-" + column, spellcheck: "false", autocomplete: "off" });
            input.addEventListener("input", updatePreview);
            box.append(el("div", { class: "row" }, el("label", { for: "key-" + index, text: column }), input));
          });
          if (!state.resource.key.length) box.append(el("div", { class: "row note", text: "This resource has no key: its rows cannot be addressed one by one." }));
        }

        // Enables the options the dialect and the method can carry; the others are greyed out, so
        // that nothing the page shows is dropped on the way.
        function updateOptions() {
          const offered = profile(state.mount);
          const method = byID("method").value;
          const writes = method === "PATCH" || method === "DELETE";
          const deletes = method === "DELETE";
          const set = (id, on) => { byID(id).disabled = !on; };
          set("checksum", writes && offered.checksum.length > 0 && !byID("override").checked);
          set("checksum-as", writes && offered.checksum.length > 1 && !byID("override").checked);
          if (offered.checksum.length === 1) byID("checksum-as").value = offered.checksum[0];
          set("override", writes && offered.override);
          set("ignoredeleted", deletes && offered.ignoredeleted);
          set("handling", deletes && offered.handling !== null);
          set("max-affected", deletes && offered.maxAffected);
          set("dryrun", deletes && offered.dryrun.length > 0);
          set("dryrun-as", deletes && offered.dryrun.length > 1);
          if (offered.dryrun.length === 1) byID("dryrun-as").value = offered.dryrun[0];
          const rowDelete = deletes && byID("target").value === "row";
          set("body", method !== "GET" && !rowDelete);
          set("target", true);
          const notes = {
            native: "Native: checksums as If-Match or ?checksum, Prefer for handling, max-affected and tx=rollback.",
            liveapi: "Live API Creator: a DELETE needs ?checksum (or override); ignoredeleted and dryrun are query flags; no Prefer.",
            autotask: "Autotask: a DELETE carries no checksum and no options.",
            buzz: "Buzz: strict or lenient as ?strict, dryrun as a query flag; no checksum.",
          };
          byID("options-note").textContent = notes[state.mount.dialect] || "";
        }

        // The request the composer describes: method, path with query, headers and body.
        function composed() {
          const mount = state.mount;
          const offered = profile(mount);
          const method = byID("method").value;
          const target = byID("target").value;
          const headers = {};
          const query = [];
          const prefer = [];
          let path = resourcePath();
          if (target === "row") {
            const parts = state.resource.key.map((column, index) => byID("key-" + index).value);
            if (!parts.length) throw new Error("this resource has no key: use the resource as the target");
            if (parts.some((part) => part === "")) throw new Error("type every part of the key (" + state.resource.key.join(", ") + "), or pick a row");
            path += "/" + parts.map(encodePart).join(",");
          } else if (method === "GET") {
            return { method, path: listPath(), headers, body: null };
          } else if (method === "DELETE") {
            if (mount.dialect === "native") query.push(...listQuery(true));
          }
          const writes = method === "PATCH" || method === "DELETE";
          if (writes && offered.override && byID("override").checked) {
            if (mount.dialect === "native") headers["If-Match"] = "*";
            else query.push(["checksum", "override"]);
          } else if (writes && offered.checksum.length && byID("checksum").value.trim()) {
            const checksum = byID("checksum").value.trim();
            if (byID("checksum-as").value === "header" && offered.checksum.includes("header")) headers["If-Match"] = '"' + checksum.replace(/"/g, "") + '"';
            else query.push(["checksum", checksum]);
          }
          if (method === "DELETE") {
            if (offered.ignoredeleted && byID("ignoredeleted").checked) query.push(["ignoredeleted", null]);
            const handling = byID("handling").value;
            if (handling && offered.handling === "prefer") prefer.push("handling=" + handling);
            if (handling && offered.handling === "query") query.push(["strict", handling === "strict" ? "true" : "false"]);
            const most = byID("max-affected").value.trim();
            if (most && offered.maxAffected) prefer.push("max-affected=" + most);
            if (byID("dryrun").checked && offered.dryrun.length) {
              if (byID("dryrun-as").value === "prefer" && offered.dryrun.includes("prefer")) prefer.push("tx=rollback");
              else query.push(["dryrun", null]);
            }
          }
          if (prefer.length) headers["Prefer"] = prefer.join(", ");
          let body = null;
          const text = byID("body").value.trim();
          if (!byID("body").disabled && text) {
            try { JSON.parse(text); } catch (error) { throw new Error("the body is not valid JSON: " + error.message); }
            headers["Content-Type"] = "application/json";
            body = text;
          } else if ((method === "POST" || method === "PATCH") && !text) {
            throw new Error("a " + method + " needs a JSON body");
          }
          return { method, path: path + queryString(query), headers, body };
        }

        function updatePreview() {
          const preview = byID("request-preview");
          if (!state.mount || !state.resource) { preview.textContent = ""; return; }
          updateOptions();
          try {
            const request = composed();
            const lines = [request.method + " " + request.path];
            const credentials = credentialHeaders(state.mount);
            for (const name of Object.keys(credentials)) lines.push(name + ": •••");
            for (const [name, value] of Object.entries(request.headers)) lines.push(name + ": " + value);
            if (request.body) lines.push("", request.body);
            preview.textContent = lines.join("\n");
            preview.classList.remove("error");
            byID("send").disabled = false;
          } catch (error) {
            preview.textContent = error.message;
            preview.classList.add("error");
            byID("send").disabled = true;
          }
        }

        async function sendComposed() {
          const request = composed();
          const exchange = await send(state.mount, request.method, request.path, request.headers, request.body);
          showExchange(exchange);
          if (request.method === "DELETE" && exchange.status < 300) renderSummary(exchange, state.mount);
          if (request.method === "DELETE" && exchange.status < 300 && !(exchange.json && exchange.json.dryRun)) refreshJournal();
        }

        """#
}
