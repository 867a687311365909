extension LabScript {
    /// The script's part: browsing rows with the dialect's filters and pages, and picking one.
    static let browse = #"""
        // Browsing rows: filters, limit and offset in the mount's own dialect, and a table of rows to
        // pick one from (its key and checksum go to the request).
        const operatorNames = {
          eq: "equals", neq: "differs from", lt: "less than", lte: "at most", gt: "greater than", gte: "at least",
          in: "one of (a,b,c)", null: "is null", notnull: "is not null",
        };

        function addFilter() {
          const resource = state.resource;
          if (!resource) return;
          const offered = profile(state.mount).filters;
          if (!offered.length) return setNote("browse-note", "The " + state.mount.dialect + " dialect has no filters: browse by limit and offset.", true);
          const index = byID("filters").children.length;
          const column = el("select", { "data-test": "filter-column", "aria-label": "Filter " + (index + 1) + ": column" });
          for (const each of resource.columns) column.append(el("option", { value: each.name, text: each.name }));
          const operator = el("select", { "data-test": "filter-op", "aria-label": "Filter " + (index + 1) + ": operator" });
          for (const name of offered) operator.append(el("option", { value: name, text: operatorNames[name] }));
          const value = el("input", { "data-test": "filter-value", "aria-label": "Filter " + (index + 1) + ": value", spellcheck: "false" });
          const remove = el("button", { type: "button", "data-test": "filter-remove", text: "Remove" });
          const row = el("div", { class: "row", "data-test": "filter" }, column, operator, value, remove);
          remove.addEventListener("click", () => { row.remove(); updatePreview(); });
          for (const input of [column, operator, value]) input.addEventListener("input", updatePreview);
          byID("filters").append(row);
          column.focus();
          updatePreview();
        }

        function filters() {
          return Array.from(byID("filters").querySelectorAll("[data-test=filter]")).map((row) => ({
            column: row.querySelector("[data-test=filter-column]").value,
            op: row.querySelector("[data-test=filter-op]").value,
            value: row.querySelector("[data-test=filter-value]").value,
          }));
        }

        function columnType(name) {
          const column = state.resource.columns.find((each) => each.name === name);
          return column ? column.type : "text";
        }

        // A value for a dialect that types its literals (Live API's sysfilter, Autotask's JSON).
        function typedLiteral(column, text) {
          const type = columnType(column);
          if ((type === "integer" || type === "decimal" || type === "real") && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text.trim());
          if (type === "boolean" && (text === "true" || text === "false")) return text === "true";
          return text;
        }

        // The filters, limit and offset as the dialect's query items; throws for what it cannot say.
        function listQuery(forDelete) {
          const mount = state.mount;
          const items = [];
          const limit = byID("limit").value.trim();
          const offset = byID("offset").value.trim();
          const chosen = filters();
          switch (mount.dialect) {
            case "native":
              for (const filter of chosen) {
                if (filter.op === "null" || filter.op === "notnull") items.push([filter.column, "is." + filter.op]);
                else if (filter.op === "in") items.push([filter.column, "in.(" + filter.value + ")"]);
                else items.push([filter.column, filter.op + "." + filter.value]);
              }
              if (!forDelete) {
                if (limit) items.push(["limit", limit]);
                if (offset && offset !== "0") items.push(["offset", offset]);
              }
              break;
            case "liveapi": {
              const names = { eq: "equal", neq: "notequal", lt: "less", lte: "lessequal", gt: "greater", gte: "greaterequal" };
              for (const filter of chosen) {
                if (filter.op === "null" || filter.op === "notnull") { items.push(["sysfilter", filter.op + "(" + filter.column + ":null)"]); continue; }
                const literal = typedLiteral(filter.column, filter.value);
                const written = typeof literal === "string" ? "'" + literal.replace(/'/g, "''") + "'" : String(literal);
                items.push(["sysfilter", names[filter.op] + "(" + filter.column + ":" + written + ")"]);
              }
              if (limit) items.push(["pagesize", limit]);
              if (offset && offset !== "0") items.push(["offset", offset]);
              break;
            }
            case "autotask": {
              const names = { eq: "eq", neq: "noteq", lt: "lt", lte: "lte", gt: "gt", gte: "gte", in: "in" };
              const conditions = chosen.map((filter) => {
                if (filter.op === "null") return { op: "notExist", field: filter.column };
                if (filter.op === "notnull") return { op: "exist", field: filter.column };
                if (filter.op === "in") return { op: "in", field: filter.column, value: filter.value.split(",").map((each) => typedLiteral(filter.column, each.trim())) };
                return { op: names[filter.op], field: filter.column, value: typedLiteral(filter.column, filter.value) };
              });
              if (!conditions.length) conditions.push({ op: "exist", field: state.resource.key[0] });
              const search = { filter: conditions };
              if (limit) search.MaxRecords = Number(limit);
              if (offset && offset !== "0") throw new Error("Autotask pages by its next and previous links, not by offset: set the offset to 0.");
              items.push(["search", JSON.stringify(search)]);
              break;
            }
            case "buzz":
              if (limit) items.push(["limit", limit]);
              if (offset && offset !== "0") items.push(["offset", offset]);
              break;
          }
          return items;
        }

        function resourcePath() {
          return state.mount.path + "/" + encodeName(state.resource.name);
        }

        function listPath() {
          const query = queryString(listQuery(false));
          return state.mount.dialect === "autotask" ? resourcePath() + "/query" + query : resourcePath() + query;
        }

        // The rows of a list answer, and the links to the next and previous pages (same-origin paths).
        function readList(exchange) {
          const body = exchange.json;
          const local = (link) => {
            if (!link) return null;
            const url = new URL(link, window.location.origin);
            return url.origin === window.location.origin ? url.pathname + url.search : null;
          };
          switch (state.mount.dialect) {
            case "native": {
              const link = exchange.headers.get("Link") || "";
              const match = /<([^>]*)>;\s*rel="next"/.exec(link);
              return { rows: Array.isArray(body) ? body : [], next: match ? local(match[1]) : null, previous: null };
            }
            case "liveapi": {
              const all = Array.isArray(body) ? body : [];
              const last = all[all.length - 1];
              const batch = last && last["@metadata"] && last["@metadata"].next_batch;
              return { rows: batch ? all.slice(0, -1) : all, next: batch ? local(batch) : null, previous: null };
            }
            case "autotask": {
              const details = (body && body.pageDetails) || {};
              return { rows: (body && body.items) || [], next: local(details.nextPageUrl), previous: local(details.prevPageUrl) };
            }
            case "buzz": {
              const payload = (body && body.payload) || {};
              return { rows: payload.items || [], next: local(payload.next), previous: null };
            }
          }
          return { rows: [], next: null, previous: null };
        }

        async function browse(path) {
          const exchange = await send(state.mount, "GET", path || listPath(), {}, null);
          showExchange(exchange);
          if (exchange.status !== 200) {
            setNote("browse-note", "The list was refused: " + exchange.status + " (see the response).", true);
            return;
          }
          const list = readList(exchange);
          state.rows = list.rows;
          state.next = list.next;
          state.previous = list.previous;
          renderRows();
          byID("browse-next").disabled = !state.next && !(state.mount.dialect !== "autotask" && list.rows.length && String(list.rows.length) === byID("limit").value.trim());
          byID("browse-prev").disabled = state.mount.dialect === "autotask" ? !state.previous : Number(byID("offset").value || 0) === 0;
          setNote("browse-note", list.rows.length + " row" + (list.rows.length === 1 ? "" : "s") + " · GET " + exchange.path);
        }

        function pageBy(step) {
          if (state.mount.dialect === "autotask" || state.mount.dialect === "native" && step > 0 && state.next) {
            const link = step > 0 ? state.next : state.previous;
            if (link) return run(() => browse(link));
          }
          const limit = Number(byID("limit").value || 20);
          byID("offset").value = String(Math.max(0, Number(byID("offset").value || 0) + step * limit));
          return run(() => browse());
        }

        function keyOf(row) {
          return state.resource.key.map((column) => row[column]);
        }

        function renderRows() {
          const table = byID("rows");
          clear(table);
          const columns = state.resource.columns.map((column) => column.name);
          const hasChecksum = state.rows.some((row) => row["@metadata"] && row["@metadata"].checksum);
          const head = el("tr", {}, el("th", { text: "" }));
          for (const column of columns) head.append(el("th", { scope: "col", text: column }));
          if (hasChecksum) head.append(el("th", { scope: "col", text: "checksum" }));
          table.append(el("thead", {}, head));
          const body = el("tbody");
          for (const row of state.rows) {
            const key = keyOf(row);
            const pick = el("button", { type: "button", "data-test": "pick", text: "Pick", "aria-label": "Pick " + key.map(show).join(", ") });
            const line = el("tr", { "data-test": "row", "data-key": key.map(show).join(",") }, el("td", {}, pick));
            for (const column of columns) {
              const value = row[column];
              line.append(el("td", { class: value === null || value === undefined ? "null" : null, text: show(value) }));
            }
            if (hasChecksum) line.append(el("td", { class: "mono", text: (row["@metadata"] && row["@metadata"].checksum) || "" }));
            pick.addEventListener("click", () => pickRow(row, line));
            body.append(line);
          }
          table.append(body);
        }

        function pickRow(row, line) {
          state.picked = row;
          for (const other of byID("rows").querySelectorAll("tr.picked")) other.classList.remove("picked");
          line.classList.add("picked");
          byID("target").value = "row";
          const key = keyOf(row);
          state.resource.key.forEach((column, index) => {
            const input = byID("key-" + index);
            if (input) input.value = key[index] === null || key[index] === undefined ? "" : String(key[index]);
          });
          const checksum = row["@metadata"] && row["@metadata"].checksum;
          byID("checksum").value = checksum || "";
          updatePreview();
          byID("method").focus();
        }

        """#
}
