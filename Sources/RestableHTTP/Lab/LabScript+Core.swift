extension LabScript {
    /// The script's part: state, DOM helpers, same-origin requests, what each dialect offers, the Response panel.
    static let core = #"""
        // State, DOM helpers, same-origin requests and what each dialect offers.
        const state = {
          mounts: [],
          mount: null,
          resource: null,
          credentials: {},
          rows: [],
          picked: null,
          next: null,
          previous: null,
          transactions: [],
          undoID: null,
          exchanges: 0,
        };

        const byID = (id) => document.getElementById(id);

        // An element with attributes and children; text goes in as text nodes, never as markup.
        function el(tag, attributes, ...children) {
          const node = document.createElement(tag);
          for (const [name, value] of Object.entries(attributes || {})) {
            if (value === null || value === undefined || value === false) continue;
            if (name === "text") node.textContent = String(value);
            else node.setAttribute(name, value === true ? "" : String(value));
          }
          for (const child of children) {
            if (child === null || child === undefined) continue;
            node.append(typeof child === "string" ? document.createTextNode(child) : child);
          }
          return node;
        }

        function clear(node) {
          while (node.firstChild) node.removeChild(node.firstChild);
        }

        function setNote(id, text, isError) {
          const node = byID(id);
          node.textContent = text;
          node.classList.toggle("error", Boolean(isError));
        }

        // A value as a short line of text (null shown as null, strings as they are).
        function show(value) {
          if (value === null || value === undefined) return "null";
          if (typeof value === "object") return JSON.stringify(value);
          return String(value);
        }

        // What each dialect lets a request carry: the composer offers only these.
        const dialects = {
          native: {
            checksum: ["header", "query"], override: true, ignoredeleted: true, handling: "prefer", maxAffected: true,
            dryrun: ["query", "prefer"], filters: ["eq", "neq", "lt", "lte", "gt", "gte", "in", "null", "notnull"],
          },
          liveapi: {
            checksum: ["query"], override: true, ignoredeleted: true, handling: null, maxAffected: false,
            dryrun: ["query"], filters: ["eq", "neq", "lt", "lte", "gt", "gte", "null", "notnull"],
          },
          autotask: {
            checksum: [], override: false, ignoredeleted: false, handling: null, maxAffected: false,
            dryrun: [], filters: ["eq", "neq", "lt", "lte", "gt", "gte", "in", "null", "notnull"],
          },
          buzz: {
            checksum: [], override: false, ignoredeleted: false, handling: "query", maxAffected: false,
            dryrun: ["query"], filters: [],
          },
        };

        function profile(mount) {
          return dialects[mount && mount.dialect] || dialects.autotask;
        }

        // A path segment: every byte but letters, digits and -._~ percent-encoded (a comma too).
        function encodePart(value) {
          return encodeURIComponent(String(value)).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
        }

        // A resource name in a path: as a segment, but `:` stays (Live API's `demo:customer`).
        function encodeName(name) {
          return encodePart(name).replace(/%3A/g, ":");
        }

        // A query string from [name, value] pairs; a null value is a bare flag (`?dryrun`).
        function queryString(items) {
          if (!items.length) return "";
          return "?" + items.map(([name, value]) => (value === null ? encodePart(name) : encodePart(name) + "=" + encodeURIComponent(value))).join("&");
        }

        // The headers that carry the credentials of `mount`, if any are set.
        function credentialHeaders(mount) {
          const credential = state.credentials[mount.path];
          const headers = {};
          if (!credential) return headers;
          if (credential.method === "apiKey") {
            if (mount.dialect === "liveapi") headers["Authorization"] = "CALiveAPICreator " + credential.apiKey + ":1";
            else headers["X-API-Key"] = credential.apiKey;
          } else if (credential.method === "jwt") {
            headers["Authorization"] = "Bearer " + credential.token;
          } else if (credential.method === "apiUser") {
            headers["ApiIntegrationCode"] = credential.integrationCode;
            headers["UserName"] = credential.userName;
            headers["Secret"] = credential.secret;
          }
          return headers;
        }

        // Sends a request to this server only (never another origin), with the mount's credentials.
        async function send(mount, method, pathAndQuery, headers, body) {
          if (!pathAndQuery.startsWith("/") || pathAndQuery.startsWith("//")) throw new Error("the Lab sends requests to this server only: " + pathAndQuery);
          const url = new URL(pathAndQuery, window.location.origin);
          if (url.origin !== window.location.origin) throw new Error("the Lab sends requests to this server only: " + pathAndQuery);
          const allHeaders = Object.assign({}, mount ? credentialHeaders(mount) : {}, headers || {});
          const init = { method, headers: allHeaders, credentials: "same-origin", cache: "no-store", redirect: "error" };
          if (body !== undefined && body !== null) init.body = body;
          const started = performance.now();
          const response = await fetch(url.pathname + url.search, init);
          const text = await response.text();
          let json = null;
          const type = response.headers.get("Content-Type") || "";
          if (type.includes("json") && text) {
            try { json = JSON.parse(text); } catch (error) { json = null; }
          }
          return { method, path: url.pathname + url.search, status: response.status, statusText: response.statusText, headers: response.headers,
            text, json, type, milliseconds: Math.round(performance.now() - started) };
        }

        // A request and its answer in the Response panel: status, headers, body (problem+json set out).
        function showExchange(exchange) {
          const status = byID("response-status");
          clear(status);
          state.exchanges += 1;
          status.setAttribute("data-exchange", String(state.exchanges));
          status.append(
            el("span", { class: exchange.status < 400 ? "status-ok" : "status-bad", "data-test": "status-code", text: String(exchange.status) }),
            " " + (exchange.statusText || "") + " · " + exchange.method + " " + exchange.path + " · " + exchange.milliseconds + " ms");
          const table = byID("response-headers");
          clear(table);
          const names = [];
          exchange.headers.forEach((value, name) => names.push([name, value]));
          names.sort((a, b) => a[0].localeCompare(b[0]));
          for (const [name, value] of names) {
            table.append(el("tr", { "data-test": "response-header", "data-name": name }, el("td", { text: name }), el("td", { class: "mono", text: value })));
          }
          byID("response-body").textContent = exchange.json !== null ? JSON.stringify(exchange.json, null, 2) : exchange.text;
          showProblem(exchange);
        }

        // A problem (RFC 9457) or a vendor error, set out above the body; hidden for a success.
        function showProblem(exchange) {
          const box = byID("problem");
          clear(box);
          const body = exchange.json;
          if (exchange.status < 400 || !body || typeof body !== "object") {
            box.hidden = true;
            return;
          }
          const title = body.title || body.errorCode || body.status || "Error";
          const detail = body.detail || body.errorMessage || body.message || (Array.isArray(body.errors) ? body.errors.join("; ") : "");
          const code = body.code || body.errorCode || (body.payload && body.payload.error) || "";
          box.append(
            el("p", {}, el("strong", { "data-test": "problem-title", text: String(title) }), " ", el("code", { "data-test": "problem-code", text: String(code) })),
            el("p", { "data-test": "problem-detail", text: String(detail) }));
          for (const dependent of body.dependents || []) {
            box.append(el("p", { "data-test": "problem-dependent", text: "blocked by " + dependent.count + " " + dependent.resource + " row(s) on " +
              (dependent.columns || []).join(", ") + (dependent.keys && dependent.keys.length ? ": " + dependent.keys.map(show).join("; ") : "") }));
          }
          for (const item of (body.conflicts || []).concat(body.differences || []).concat(body.errors && !Array.isArray(body.errors[0]) && typeof body.errors[0] === "object" ? body.errors : [])) {
            box.append(el("p", { "data-test": "problem-item", text: (item.kind || item.code || "") + ": " + (item.detail || "") }));
          }
          box.hidden = false;
        }

        """#
}
