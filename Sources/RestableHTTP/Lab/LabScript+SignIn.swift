extension LabScript {
    /// The script's part: signing in per mount: API key, bearer token, Autotask API user, Buzz session.
    static let signIn = #"""
        // Signing in: an API key, a bearer token, Autotask's API user, or a Buzz session, per mount.
        // Credentials stay in this page's memory, or in this tab's sessionStorage when asked; they are
        // sent only to this server, with the mount's own requests.
        const storagePrefix = "restable-lab:";

        function loadStoredCredentials() {
          for (const mount of state.mounts) {
            const stored = window.sessionStorage.getItem(storagePrefix + mount.path);
            if (!stored) continue;
            try { state.credentials[mount.path] = JSON.parse(stored); } catch (error) { window.sessionStorage.removeItem(storagePrefix + mount.path); }
          }
        }

        function keepCredential(mount, credential, remember) {
          state.credentials[mount.path] = credential;
          if (remember) window.sessionStorage.setItem(storagePrefix + mount.path, JSON.stringify(credential));
          else window.sessionStorage.removeItem(storagePrefix + mount.path);
        }

        function forgetCredential(mount) {
          delete state.credentials[mount.path];
          window.sessionStorage.removeItem(storagePrefix + mount.path);
        }

        function describeCredential(mount) {
          const credential = state.credentials[mount.path];
          if (!credential) return "No credentials: requests go without them (and get 401).";
          switch (credential.method) {
            case "apiKey": return "Using an API key" + (mount.dialect === "liveapi" ? " (Authorization: CALiveAPICreator)" : " (X-API-Key)") + ".";
            case "jwt": return "Using a bearer token (Authorization: Bearer).";
            case "apiUser": return "Using the API user " + credential.userName + ".";
            case "session": return "Signed in as " + credential.user + " (the session cookie).";
            default: return "";
          }
        }

        function renderAuth() {
          const box = byID("auth");
          clear(box);
          const mount = state.mount;
          if (!mount) return;
          if (!mount.authentication.length) {
            box.append(el("p", { class: "note", "data-test": "auth-open", text: mount.path + " serves everyone: no sign-in." }));
            updatePreview();
            return;
          }
          box.append(el("p", { "data-test": "auth-state", role: "status", text: describeCredential(mount) }));
          const remember = el("input", { type: "checkbox", id: "auth-remember", "data-test": "auth-remember" });
          const rememberRow = el("div", { class: "row" }, remember, el("label", { for: "auth-remember", text: "keep in this tab (sessionStorage)" }));
          for (const method of mount.authentication) {
            const row = el("div", { class: "row", "data-test": "auth-" + method });
            if (method === "apiKey") {
              const input = el("input", { type: "password", id: "auth-api-key", "data-test": "auth-api-key", autocomplete: "off", size: 32 });
              const use = el("button", { type: "button", "data-test": "auth-use-api-key", text: "Use this key" });
              use.addEventListener("click", () => {
                if (!input.value) return setNote("browse-note", "Type the API key first.", true);
                keepCredential(mount, { method: "apiKey", apiKey: input.value }, remember.checked);
                renderAuth();
              });
              row.append(el("label", { for: "auth-api-key", text: "API key" }), input, use);
            } else if (method === "jwt") {
              const input = el("input", { type: "password", id: "auth-token", "data-test": "auth-token", autocomplete: "off", size: 40 });
              const use = el("button", { type: "button", "data-test": "auth-use-token", text: "Use this token" });
              use.addEventListener("click", () => {
                if (!input.value) return setNote("browse-note", "Paste the token first.", true);
                keepCredential(mount, { method: "jwt", token: input.value.trim() }, remember.checked);
                renderAuth();
              });
              row.append(el("label", { for: "auth-token", text: "Bearer token (JWT)" }), input, use);
            } else if (method === "apiUser") {
              const code = el("input", { id: "auth-integration-code", "data-test": "auth-integration-code", autocomplete: "off", size: 14 });
              const user = el("input", { id: "auth-user-name", "data-test": "auth-user-name", autocomplete: "off", size: 14 });
              const secret = el("input", { type: "password", id: "auth-secret", "data-test": "auth-secret", autocomplete: "off", size: 20 });
              const use = el("button", { type: "button", "data-test": "auth-use-api-user", text: "Use this API user" });
              use.addEventListener("click", () => {
                if (!code.value || !user.value || !secret.value) return setNote("browse-note", "Fill in all three: integration code, user name, secret.", true);
                keepCredential(mount, { method: "apiUser", integrationCode: code.value, userName: user.value, secret: secret.value }, remember.checked);
                renderAuth();
              });
              row.append(el("label", { for: "auth-integration-code", text: "ApiIntegrationCode" }), code,
                el("label", { for: "auth-user-name", text: "UserName" }), user, el("label", { for: "auth-secret", text: "Secret" }), secret, use);
            } else if (method === "session") {
              const user = el("input", { id: "auth-username", "data-test": "auth-username", autocomplete: "username", size: 14 });
              const password = el("input", { type: "password", id: "auth-password", "data-test": "auth-password", autocomplete: "current-password", size: 18 });
              const signIn = el("button", { type: "button", "data-test": "auth-sign-in", text: "Sign in" });
              const signOut = el("button", { type: "button", "data-test": "auth-sign-out", text: "Sign out" });
              signIn.addEventListener("click", () => run(async () => {
                const exchange = await send(null, "POST", mount.signIn, { "Content-Type": "application/json" },
                  JSON.stringify({ username: user.value, password: password.value }));
                password.value = "";
                showExchange(exchange);
                if (exchange.status === 200) keepCredential(mount, { method: "session", user: user.value }, remember.checked);
                renderAuth();
              }));
              signOut.addEventListener("click", () => run(async () => {
                showExchange(await send(null, "POST", mount.signOut, {}, null));
                forgetCredential(mount);
                renderAuth();
              }));
              row.append(el("label", { for: "auth-username", text: "User" }), user, el("label", { for: "auth-password", text: "Password" }), password, signIn, signOut);
            }
            box.append(row);
          }
          const forget = el("button", { type: "button", "data-test": "auth-forget", text: "Forget the credentials" });
          forget.addEventListener("click", () => { forgetCredential(mount); renderAuth(); });
          rememberRow.append(forget);
          box.append(rememberRow);
          updatePreview();
        }

        """#
}
